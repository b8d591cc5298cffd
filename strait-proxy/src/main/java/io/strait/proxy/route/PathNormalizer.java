package io.strait.proxy.route;

import io.strait.config.model.PathPolicy;

/**
 * Normalizes the path of an origin-form request target before routing, so that the router and the upstream see
 * one canonical path (RFC 3986 section 6.2.2, hardened as Envoy's {@code normalize_path}, {@code merge_slashes}
 * and {@code path_with_escaped_slashes_action} are).
 *
 * <p>In order: the target must start with {@code /} and hold only visible ASCII, no {@code #} and, in the path, no
 * raw backslash; percent-encodings must be well formed and not {@code %00}. Encoded unreserved characters
 * ({@code ALPHA DIGIT - . _ ~}) are decoded, every other percent-encoding is kept with upper-case hex;
 * {@code %2F} and {@code %5C} follow {@link PathPolicy#encodedSlashes()}. Then, with
 * {@link PathPolicy#mergeSlashes()}, empty segments are merged ({@code //} means {@code /}, so {@code /a//../b} is
 * {@code /b}, as in nginx) and dot segments are removed (RFC 3986 section 5.2.4; {@code ..} above the root stays at
 * the root). Two tricks that servers behind a proxy are known to honour are refused with 400:
 * a dot segment with path parameters ({@code ..;/}, which Tomcat treats as {@code ..}) and, with KEEP, a dot
 * segment hidden behind an encoded slash ({@code a%2F..}). The query string is returned as it came.
 */
public final class PathNormalizer {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static final Result NOT_ORIGIN_FORM = Result.rejected("request target must start with '/'");
    private static final Result FRAGMENT = Result.rejected("fragment in request target");
    private static final Result BAD_CHARACTER = Result.rejected("invalid character in request target");
    private static final Result BACKSLASH = Result.rejected("backslash in path");
    private static final Result BAD_ESCAPE = Result.rejected("invalid percent-encoding in path");
    private static final Result ENCODED_NUL = Result.rejected("encoded NUL in path");
    private static final Result ENCODED_SLASH = Result.rejected("encoded slash in path");
    private static final Result DOT_PARAMETERS = Result.rejected("dot segment with parameters in path");
    private static final Result HIDDEN_DOTS = Result.rejected("dot segment behind an encoded slash in path");

    private PathNormalizer() {}

    /**
     * The outcome: either {@code path} (normalized) and {@code query} (raw, null when the target has no {@code ?}),
     * or a short {@code rejection} message for a 400 answer.
     */
    public record Result(String path, String query, String rejection) {
        static Result ok(String path, String query) {
            return new Result(path, query, null);
        }

        static Result rejected(String message) {
            return new Result(null, null, message);
        }

        public boolean ok() {
            return rejection == null;
        }
    }

    /** Normalizes {@code requestTarget} (origin form, {@code /a/b?x=1}) under {@code policy}. Never throws. */
    public static Result normalize(String requestTarget, PathPolicy policy) {
        if (requestTarget == null || requestTarget.isEmpty() || requestTarget.charAt(0) != '/') return NOT_ORIGIN_FORM;
        int n = requestTarget.length();
        int pathEnd = n;
        boolean simple = true;
        char prev = 0;
        for (int i = 0; i < n; i++) {
            char c = requestTarget.charAt(i);
            if (c == '?') {
                pathEnd = i;
                break;
            }
            if (c <= 0x20 || c >= 0x7f) return BAD_CHARACTER;
            if (c == '#') return FRAGMENT;
            if (c == '\\') return BACKSLASH;
            if (c == '%'
                    || c == '/' && prev == '/' && policy.mergeSlashes()
                    || c == '.' && prev == '/' && startsDotSegment(requestTarget, i)) {
                simple = false;
            }
            prev = c;
        }
        for (int i = pathEnd + 1; i < n; i++) {
            char c = requestTarget.charAt(i);
            if (c <= 0x20 || c >= 0x7f) return BAD_CHARACTER;
            if (c == '#') return FRAGMENT;
        }
        String query = pathEnd == n ? null : requestTarget.substring(pathEnd + 1);
        if (simple) return Result.ok(pathEnd == n ? requestTarget : requestTarget.substring(0, pathEnd), query);

        StringBuilder decoded = new StringBuilder(pathEnd);
        Result failure = decode(requestTarget, pathEnd, policy.encodedSlashes(), decoded);
        if (failure != null) return failure;
        return removeDotSegments(decoded, policy, query);
    }

    /**
     * {@code path} with its percent-encodings in the canonical form {@link #normalize} gives them (unreserved
     * characters decoded, upper-case hex, encoded slashes kept), and nothing else changed; {@code path} itself
     * when it has none or a malformed one. Lets configured paths compare equal to normalized request paths.
     */
    static String canonicalEscapes(String path) {
        if (path.indexOf('%') < 0) return path;
        StringBuilder out = new StringBuilder(path.length());
        return decode(path, path.length(), PathPolicy.EncodedSlashes.KEEP, out) == null ? out.toString() : path;
    }

    /** Whether the segment starting with the '.' at {@code i} is {@code .} or {@code ..}, possibly with parameters. */
    private static boolean startsDotSegment(String s, int i) {
        int next = i + 1 < s.length() ? s.charAt(i + 1) : '?';
        if (next == '.') next = i + 2 < s.length() ? s.charAt(i + 2) : '?';
        return next == '/' || next == '?' || next == ';';
    }

    /** Validates and rewrites the percent-encodings of {@code s[0, end)} into {@code out}; null on success. */
    private static Result decode(String s, int end, PathPolicy.EncodedSlashes slashes, StringBuilder out) {
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int hi = i + 2 < end ? hex(s.charAt(i + 1)) : -1;
            int lo = hi >= 0 ? hex(s.charAt(i + 2)) : -1;
            if (lo < 0) return BAD_ESCAPE;
            int v = hi << 4 | lo;
            i += 2;
            if (v == 0) return ENCODED_NUL;
            if (isUnreserved(v)) {
                out.append((char) v);
            } else if (v == '/' || v == '\\') {
                switch (slashes) {
                    case REJECT -> {
                        return ENCODED_SLASH;
                    }
                    case DECODE -> out.append('/');
                    case KEEP -> out.append('%').append(HEX[hi]).append(HEX[lo]);
                }
            } else {
                out.append('%').append(HEX[hi]).append(HEX[lo]);
            }
        }
        return null;
    }

    /** Slash merging, then RFC 3986 section 5.2.4, on a decoded path; segments are tracked as index pairs. */
    private static Result removeDotSegments(CharSequence d, PathPolicy policy, String query) {
        int len = d.length();
        int[] starts = new int[len];
        int[] ends = new int[len];
        int top = 0;
        int pos = 1;
        while (true) {
            int end = pos;
            while (end < len && d.charAt(end) != '/') end++;
            boolean last = end == len;
            if (end == pos && !last && policy.mergeSlashes()) {
                pos = end + 1; // merged away before dot segments are resolved, as nginx does
                continue;
            }
            int dots = dotSegment(d, pos, end);
            if (dots > 0) {
                if (dots == 2 && top > 0) top--;
                if (last) {
                    starts[top] = end;
                    ends[top++] = end;
                }
            } else {
                Result hidden = hiddenDotSegment(d, pos, end, policy.encodedSlashes() == PathPolicy.EncodedSlashes.KEEP);
                if (hidden != null) return hidden;
                starts[top] = pos;
                ends[top++] = end;
            }
            if (last) break;
            pos = end + 1;
        }
        StringBuilder out = new StringBuilder(len);
        for (int k = 0; k < top; k++) out.append('/').append(d, starts[k], ends[k]);
        if (out.isEmpty()) out.append('/');
        return Result.ok(out.toString(), query);
    }

    /** 1 for {@code .}, 2 for {@code ..}, else 0. */
    private static int dotSegment(CharSequence d, int from, int to) {
        int n = to - from;
        if (n == 1 && d.charAt(from) == '.') return 1;
        if (n == 2 && d.charAt(from) == '.' && d.charAt(from + 1) == '.') return 2;
        return 0;
    }

    /**
     * Rejects a segment that a server behind us could still read as a dot segment: {@code ..;x} (path parameters
     * are dropped by Tomcat and Jetty) and, with encoded slashes kept, any piece between {@code %2F}/{@code %5C}.
     */
    private static Result hiddenDotSegment(CharSequence d, int from, int to, boolean keepSlashes) {
        int piece = from;
        for (int i = from; i <= to; i++) {
            boolean split = i == to
                    || keepSlashes && i + 2 < to && d.charAt(i) == '%'
                            && (d.charAt(i + 1) == '2' && d.charAt(i + 2) == 'F'
                                || d.charAt(i + 1) == '5' && d.charAt(i + 2) == 'C');
            if (!split) continue;
            int head = piece;
            while (head < i && d.charAt(head) != ';') head++;
            if (dotSegment(d, piece, head) > 0) return head < i ? DOT_PARAMETERS : HIDDEN_DOTS;
            piece = i + 3;
            i += 2;
        }
        return null;
    }

    private static boolean isUnreserved(int c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }
}
