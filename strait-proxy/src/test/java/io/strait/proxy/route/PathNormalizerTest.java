package io.strait.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.PathPolicy;
import io.strait.config.model.PathPolicy.EncodedSlashes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {
    private static final PathPolicy KEEP = new PathPolicy(true, EncodedSlashes.KEEP);
    private static final PathPolicy DECODE = new PathPolicy(true, EncodedSlashes.DECODE);
    private static final PathPolicy NO_MERGE = new PathPolicy(false, EncodedSlashes.REJECT);

    private static String ok(String target, PathPolicy policy) {
        PathNormalizer.Result r = PathNormalizer.normalize(target, policy);
        assertThat(r.rejection()).as("rejection of %s", target).isNull();
        assertThat(r.ok()).isTrue();
        return r.path();
    }

    private static String rejected(String target, PathPolicy policy) {
        PathNormalizer.Result r = PathNormalizer.normalize(target, policy);
        assertThat(r.ok()).as("%s normalized to %s", target, r.path()).isFalse();
        assertThat(r.path()).isNull();
        return r.rejection();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /                                  | /
            /a/b                               | /a/b
            /a/b/                              | /a/b/
            /api/v1/users/../admin             | /api/v1/admin
            /api/v1/users/%2e%2e/admin         | /api/v1/admin
            /api/v1/users/%2E%2E/admin         | /api/v1/admin
            /api/v1/users/%2e%2E/admin         | /api/v1/admin
            /api/v1/users/.%2e/admin           | /api/v1/admin
            /api/v1/users/%2e./admin           | /api/v1/admin
            /api/./v1                          | /api/v1
            /api/%2e/v1                        | /api/v1
            /api/%2E/v1/./.                    | /api/v1/
            /a/b/..                            | /a/
            /a/b/.                             | /a/b/
            /a/b/%2e%2e                        | /a/
            /..                                | /
            /.                                 | /
            /../../etc/passwd                  | /etc/passwd
            /%2e%2e/%2e%2e/etc/passwd          | /etc/passwd
            /a/../../../b                      | /b
            /a/b/c/../../d                     | /a/d
            //a///b//                          | /a/b/
            //                                 | /
            ///..//admin                       | /admin
            /a//../b                           | /b
            /a/b//..//c                        | /a/c
            /%41%42c                           | /ABc
            /%7euser/%2D%5f%2e                 | /~user/-_.
            /a%3ab                             | /a%3Ab
            /caf%c3%a9                         | /caf%C3%A9
            /a%20b                             | /a%20b
            /%252e%252e/admin                  | /%252e%252e/admin
            /%252E%252E/admin                  | /%252E%252E/admin
            /a/%25                             | /a/%25
            /admin.                            | /admin.
            /admin..                           | /admin..
            /admin...                          | /admin...
            /admin%2e                          | /admin.
            /admin%2e%2e                       | /admin..
            /a/.../b                           | /a/.../b
            /a/..../b                          | /a/..../b
            /....//b                           | /..../b
            /.well-known/acme                  | /.well-known/acme
            /a/.hidden/..x                     | /a/.hidden/..x
            /%c0%ae%c0%ae/etc                  | /%C0%AE%C0%AE/etc
            /a;b/c                             | /a;b/c
            /a;x/../b                          | /b
            /a;../b                            | /a;../b
            /A/%2e%2E/b                        | /b
            /api/v1/users/..%2e/admin          | /api/v1/users/.../admin
            """)
    void normalizesUnderDefaultPolicy(String raw, String normalized) {
        assertThat(ok(raw, PathPolicy.DEFAULT)).isEqualTo(normalized);
    }

    @ParameterizedTest(name = "{0} rejected")
    @ValueSource(strings = {
            "", "a/b", "*", "http://x/y", "?x=1",
            "/a#frag", "/a?x=1#frag", "/#",
            "/a b", "/a\tb", "/a\u0000", "/a\u007f", "/caf\u00e9", "/a?q=\u00e9", "/a?q=\r\n",
            "/a\\b", "/..\\..\\etc\\passwd", "/a/..\\/b",
            "/a%zz", "/a%4", "/a%", "/a%g1", "/a%%41", "/%u002e%u002e/admin", "/a%4?x=1",
            "/a%00b", "/..%00/", "/admin%00.json",
            "/a%2fb", "/a%2Fb", "/a%5cb", "/a%5Cb", "/..%2f..%2fetc%2fpasswd", "/api/v1/users%2f..%2fadmin",
            "/api/v1/users/..;/admin", "/..;/admin", "/.;/admin", "/%2e%2e;/admin", "/a/..;jsessionid=x/b",
            "/a/.;", "/a/..;"
    })
    void rejectsUnderDefaultPolicy(String raw) {
        assertThat(rejected(raw, PathPolicy.DEFAULT)).isNotBlank();
    }

    @Test
    void rejectionMessagesSayWhy() {
        assertThat(rejected("/a%2fb", PathPolicy.DEFAULT)).contains("encoded slash");
        assertThat(rejected("/a%zz", PathPolicy.DEFAULT)).contains("percent-encoding");
        assertThat(rejected("/a%00", PathPolicy.DEFAULT)).contains("NUL");
        assertThat(rejected("/a\\b", PathPolicy.DEFAULT)).contains("backslash");
        assertThat(rejected("/..;/a", PathPolicy.DEFAULT)).contains("parameters");
        assertThat(rejected("x", PathPolicy.DEFAULT)).contains("'/'");
        assertThat(rejected("/a#b", PathPolicy.DEFAULT)).contains("fragment");
    }

    @ParameterizedTest(name = "keep: {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /a%2fb                 | /a%2Fb
            /a%5cb                 | /a%5Cb
            /a/x%2Fy/../b          | /a/b
            /a%2f%2fb              | /a%2F%2Fb
            /files/a%2Fb.txt       | /files/a%2Fb.txt
            """)
    void keepsEncodedSlashesInOneSegment(String raw, String normalized) {
        assertThat(ok(raw, KEEP)).isEqualTo(normalized);
    }

    @ParameterizedTest(name = "keep: {0} rejected")
    @ValueSource(strings = {"/a/..%2fadmin", "/a/b%2F..%2Fc", "/a/%2e%2e%2fadmin", "/a/%2F%2e%2e", "/a/.%5Cb",
            "/a/x%2F..;y/b"})
    void keepRejectsDotSegmentsBehindEncodedSlashes(String raw) {
        assertThat(rejected(raw, KEEP)).isNotBlank();
    }

    @ParameterizedTest(name = "decode: {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /a%2fb                           | /a/b
            /a%5cb                           | /a/b
            /a%2f%2fb                        | /a/b
            /api/v1/users%2f..%2fadmin       | /api/v1/admin
            /api/v1/users%5c..%5cadmin       | /api/v1/admin
            /%2e%2e%2f%2e%2e%2fetc           | /etc
            """)
    void decodesEncodedSlashes(String raw, String normalized) {
        assertThat(ok(raw, DECODE)).isEqualTo(normalized);
    }

    @ParameterizedTest(name = "no merge: {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            //a//b     | //a//b
            /a//       | /a//
            /a//../b   | /a/b
            /a/.//b    | /a//b
            """)
    void keepsEmptySegmentsWithoutMerging(String raw, String normalized) {
        assertThat(ok(raw, NO_MERGE)).isEqualTo(normalized);
    }

    @Test
    void splitsTheQueryAndLeavesItUntouched() {
        PathNormalizer.Result r = PathNormalizer.normalize("/a/../b?x=%zz&y=../..&z=%2F", PathPolicy.DEFAULT);
        assertThat(r.path()).isEqualTo("/b");
        assertThat(r.query()).isEqualTo("x=%zz&y=../..&z=%2F");
        assertThat(PathNormalizer.normalize("/a?", PathPolicy.DEFAULT).query()).isEmpty();
        assertThat(PathNormalizer.normalize("/a", PathPolicy.DEFAULT).query()).isNull();
        assertThat(PathNormalizer.normalize("/a?b?c", PathPolicy.DEFAULT).query()).isEqualTo("b?c");
    }

    @Test
    void fastPathReturnsTheTargetItselfWhenThereIsNoQuery() {
        String target = "/api/v1/users/42/app.js";
        assertThat(PathNormalizer.normalize(target, PathPolicy.DEFAULT).path()).isSameAs(target);
        String noMerge = "/api//v1";
        assertThat(PathNormalizer.normalize(noMerge, NO_MERGE).path()).isSameAs(noMerge);
    }

    @Test
    void normalizingTwiceChangesNothing() {
        String[] samples = {"/api/v1/users/%2e%2e/admin", "//a///b//", "/caf%c3%a9/%7e", "/a/b/./../c/"};
        for (String s : samples) {
            String once = ok(s, PathPolicy.DEFAULT);
            assertThat(ok(once, PathPolicy.DEFAULT)).as(s).isEqualTo(once);
        }
    }

    @Test
    void randomTargetsNeverThrowAndNormalizeToAFixedPointWithoutDotSegments() {
        char[] alphabet = {'/', '/', '.', '.', '%', '2', 'e', 'E', 'f', 'F', '5', 'c', 'C', '0', 'a', ';', '?', '\\', '#'};
        java.util.Random random = new java.util.Random(42);
        for (PathPolicy policy : new PathPolicy[] {PathPolicy.DEFAULT, KEEP, DECODE, NO_MERGE}) {
            for (int t = 0; t < 20_000; t++) {
                StringBuilder sb = new StringBuilder("/");
                int len = random.nextInt(16);
                for (int i = 0; i < len; i++) sb.append(alphabet[random.nextInt(alphabet.length)]);
                String target = sb.toString();
                PathNormalizer.Result r = PathNormalizer.normalize(target, policy);
                if (!r.ok()) continue;
                String path = r.path();
                assertThat(path).as(target).startsWith("/");
                for (String segment : path.split("/", -1)) {
                    for (String piece : segment.split("%2F|%5C", -1)) {
                        String head = piece.contains(";") ? piece.substring(0, piece.indexOf(';')) : piece;
                        assertThat(head).as("%s -> %s", target, path).isNotIn(".", "..");
                    }
                }
                if (policy.mergeSlashes()) assertThat(path).as(target).doesNotContain("//");
                assertThat(PathNormalizer.normalize(path, policy).path()).as(target).isEqualTo(path);
            }
        }
    }

    @Test
    void canonicalEscapesOnlyTouchesPercentEncodings() {
        assertThat(PathNormalizer.canonicalEscapes("/caf%c3%a9/%7e/./x")).isEqualTo("/caf%C3%A9/~/./x");
        assertThat(PathNormalizer.canonicalEscapes("/a%2fb")).isEqualTo("/a%2Fb");
        assertThat(PathNormalizer.canonicalEscapes("/bad%zz")).isEqualTo("/bad%zz");
    }
}
