package io.strait.proxy.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.RawUpstream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of malformed upstream responses, each served by a raw-socket upstream that writes exact bytes.
 * Each case checks the client's side (a 502 {@code bad_upstream_response} before the response started, a
 * cut connection or reset stream after), that the client's keep-alive connection then serves its next
 * requests with their own responses (nothing else was written on it), and that the upstream connection was
 * never used again.
 */
class MalformedResponseTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

    enum Outcome {
        /** 502 bad_upstream_response, the client's connection stays usable. */
        BAD_GATEWAY,
        /** The response had started: the client's connection is cut, the body never completes. */
        CUT,
        /** The response itself was valid and is relayed, but the upstream sent more: its connection is closed. */
        RELAYED,
        /** Valid (edge cases that must keep working): relayed, the connection may be reused. */
        VALID
    }

    record Case(String name, String response, Outcome outcome) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Case> CASES = new ArrayList<>();

    private static void bad(String name, String response) {
        CASES.add(new Case(name, response, Outcome.BAD_GATEWAY));
    }

    private static void cut(String name, String response) {
        CASES.add(new Case(name, response, Outcome.CUT));
    }

    static {
        // status line
        bad("status-line-garbage-then-bytes", "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nevil!");
        bad("not-http", "HTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        bad("lower-case-http", "http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        bad("version-2.0", "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
        bad("version-1.2", "HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok");
        bad("two-spaces", "HTTP/1.1  200 OK\r\nContent-Length: 2\r\n\r\nok");
        bad("tab-separator", "HTTP/1.1\t200 OK\r\nContent-Length: 2\r\n\r\nok");
        bad("leading-crlf", "\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        bad("status-600", "HTTP/1.1 600 Weird\r\nContent-Length: 2\r\n\r\nok");
        bad("status-099", "HTTP/1.1 099 Low\r\nContent-Length: 2\r\n\r\nok");
        bad("status-four-digits", "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok");
        bad("status-two-digits", "HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok");
        bad("status-line-bare-lf", "HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nok");
        bad("reason-nul", "HTTP/1.1 200 O\0K\r\nContent-Length: 2\r\n\r\nok");
        bad("101-without-upgrade", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n");
        // header fields
        bad("value-nul", "HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok");
        bad("value-bare-cr", "HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: s=1\r\nContent-Length: 2\r\n\r\nok");
        bad("value-bare-lf", "HTTP/1.1 200 OK\r\nX-A: a\nSet-Cookie: s=1\r\nContent-Length: 2\r\n\r\nok");
        bad("value-control", "HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 2\r\n\r\nok");
        bad("value-del", "HTTP/1.1 200 OK\r\nX-A: a\u007fb\r\nContent-Length: 2\r\n\r\nok");
        bad("obs-fold", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok");
        bad("name-space", "HTTP/1.1 200 OK\r\nX A: b\r\nContent-Length: 2\r\n\r\nok");
        bad("name-space-before-colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok");
        bad("name-nul", "HTTP/1.1 200 OK\r\nX\0A: b\r\nContent-Length: 2\r\n\r\nok");
        bad("name-empty", "HTTP/1.1 200 OK\r\n: b\r\nContent-Length: 2\r\n\r\nok");
        bad("name-without-colon", "HTTP/1.1 200 OK\r\nX-A\r\nContent-Length: 2\r\n\r\nok");
        bad("too-many-fields", "HTTP/1.1 200 OK\r\n" + "X-A: b\r\n".repeat(RawResponseScanner.MAX_FIELDS + 1)
                + "Content-Length: 2\r\n\r\nok");
        bad("head-too-large", "HTTP/1.1 200 OK\r\nX-A: " + "b".repeat(70_000) + "\r\nContent-Length: 2\r\n\r\nok");
        // framing
        bad("te-gzip-with-cl", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nok");
        bad("te-chunked-with-cl", CHUNKED_HEAD.replace("\r\n\r\n", "\r\nContent-Length: 2\r\n\r\n") + "2\r\nok\r\n0\r\n\r\n");
        bad("te-gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok");
        bad("te-chunked-not-last", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        bad("te-gzip-chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        bad("te-xchunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        bad("te-repeated", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        bad("te-in-http10", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        bad("cl-repeated-equal", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok");
        bad("cl-list", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok");
        bad("cl-plus", "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok");
        bad("cl-negative", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok");
        bad("cl-empty", "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nok");
        bad("cl-overflow", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nok");
        // chunked bodies: the head went out, so the client's connection is cut
        cut("chunk-size-invalid", CHUNKED_HEAD + "2\r\nok\r\nzz\r\nmore\r\n0\r\n\r\n");
        cut("chunk-size-negative", CHUNKED_HEAD + "2\r\nok\r\n-1\r\n0\r\n\r\n");
        cut("chunk-size-0x", CHUNKED_HEAD + "2\r\nok\r\n0x2\r\nok\r\n0\r\n\r\n");
        cut("chunk-data-too-long", CHUNKED_HEAD + "2\r\nokk\r\n0\r\n\r\n");
        cut("chunk-line-bare-lf", CHUNKED_HEAD + "2\r\nok\r\n0\n\r\n");
        cut("chunk-extension-control", CHUNKED_HEAD + "2;a=\u0001\r\nok\r\n0\r\n\r\n");
        cut("trailer-nul", CHUNKED_HEAD + "2\r\nok\r\n0\r\nX-T: a\0b\r\n\r\n");
        cut("trailer-obs-fold", CHUNKED_HEAD + "2\r\nok\r\n0\r\nX-T: a\r\n b\r\n\r\n");
        // a valid response followed by bytes nobody asked for: relayed, but the connection is not reused
        CASES.add(new Case("bytes-after-response", OK + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nevil!", Outcome.RELAYED));
        CASES.add(new Case("crlf-after-response", OK + "\r\n", Outcome.RELAYED));
        // accepted
        CASES.add(new Case("no-reason-phrase", "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok", Outcome.VALID));
        CASES.add(new Case("no-reason-no-space", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", Outcome.VALID));
        CASES.add(new Case("obs-text-and-tab-in-value", "HTTP/1.1 200 OK\r\nX-A: a\tb\u00e9\r\nContent-Length: 2\r\n\r\nok",
                Outcome.VALID));
        CASES.add(new Case("chunked-with-extension-and-trailer", CHUNKED_HEAD + "2;a=b\r\nok\r\n0\r\nX-T: t\r\n\r\n",
                Outcome.VALID));
        CASES.add(new Case("interim-103-then-final", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + OK, Outcome.VALID));
        CASES.add(new Case("chunked-upper-case", "HTTP/1.1 200 OK\r\nTransfer-Encoding:  Chunked \r\n\r\n2\r\nok\r\n0\r\n\r\n",
                Outcome.VALID));
    }

    static RawUpstream upstream;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        upstream = new RawUpstream(target -> {
            if (target.startsWith("/ok")) return OK.getBytes(StandardCharsets.ISO_8859_1);
            if (target.startsWith("/ws/")) {
                return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            if (target.startsWith(RawUpstream.CLOSE_AFTER)) return "HTTP/1.1 200 OK\r\nContent-Le".getBytes(StandardCharsets.ISO_8859_1);
            if (target.startsWith("/retry/")) {
                // first attempt: a retriable 503 whose body breaks off in a bad chunk line; then a good answer
                boolean first = upstream.seen().stream().filter(x -> x.target().equals(target)).count() == 1;
                return (first ? "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\nzz\r\n" : OK)
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            int i = Integer.parseInt(target.substring(target.lastIndexOf('/') + 1));
            return CASES.get(i).response().getBytes(StandardCharsets.ISO_8859_1);
        });
        proxy = ProxyFixture.start("""
                clusters: {raw: {endpoints: [{address: ${u}}]}}
                routes:
                  - {name: retry, match: {pathPrefix: /retry/}, cluster: raw, timeout: 5s,
                     retries: {attempts: 1, retryOn: [5xx], backoff: {base: 1ms, max: 5ms}}}
                  - {name: raw, match: {pathPrefix: /}, cluster: raw, timeout: 5s}
                """, Map.of("u", upstream.address()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        upstream.close();
    }

    static Stream<Case> cases() {
        return CASES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void http1Client(Case c) throws Exception {
        String target = "/h1/" + CASES.indexOf(c);
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(get(target));
            out.flush();
            switch (c.outcome()) {
                case BAD_GATEWAY -> {
                    HttpHead head = HttpHead.read(in);
                    assertThat(head.status()).isEqualTo(502);
                    assertThat(head.headers()).doesNotContainKey("connection");
                    assertThat(new String(in.readNBytes((int) head.contentLength()), StandardCharsets.UTF_8))
                            .contains("\"error\":\"bad_upstream_response\"").doesNotContain("evil");
                }
                case RELAYED, VALID -> {
                    HttpHead head = HttpHead.read(in);
                    while (head.status() == 103) head = HttpHead.read(in);
                    assertThat(head.status()).isEqualTo(200);
                    assertThat(body(head, in)).isEqualTo("ok");
                }
                case CUT -> {
                    String rest = ProxyFixture.readUntilQuiet(in);
                    assertThat(rest).startsWith("HTTP/1.1 200").endsWith("<EOF>").doesNotContain("\r\n0\r\n\r\n");
                }
            }
            if (c.outcome() != Outcome.CUT) {
                // The same keep-alive connection answers the next requests with their own responses.
                for (int i = 0; i < 2; i++) {
                    out.write(get("/ok"));
                    out.flush();
                    HttpHead ok = HttpHead.read(in);
                    assertThat(ok.status()).isEqualTo(200);
                    assertThat(new String(in.readNBytes((int) ok.contentLength()), StandardCharsets.UTF_8)).isEqualTo("ok");
                }
            }
        }
        if (c.outcome() != Outcome.VALID) assertNotReused(target);
    }

    /** An upstream that closes its connection in the middle of a head reset the exchange (as Envoy counts it): 502 upstream_reset. */
    @Test
    void aHeadCutByTheUpstreamsCloseIsAReset() throws Exception {
        String res = proxy.raw("GET " + RawUpstream.CLOSE_AFTER + "head HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 10_000);
        assertThat(res).startsWith("HTTP/1.1 502").contains("\"error\":\"upstream_reset\"").doesNotContain("Content-Le\r");
    }

    /** A 101 that switches a WebSocket upgrade request to another protocol is not relayed. */
    @Test
    void a101ToAnotherProtocolThanAskedIsA502() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /ws/1 HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            HttpHead head = HttpHead.read(s.getInputStream());
            assertThat(head.status()).isEqualTo(502);
            assertThat(body(head, s.getInputStream())).contains("\"error\":\"bad_upstream_response\"");
        }
        assertNotReused("/ws/1");
    }

    /** A response read to its end before a retry (never sent to the client) that turns out malformed: its connection is closed. */
    @Test
    void aDiscardedResponseWithABadBodyDoesNotReturnItsConnectionToThePool() throws Exception {
        String res = proxy.raw("GET /retry/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 10_000);
        assertThat(res).startsWith("HTTP/1.1 200").endsWith("ok\n<EOF>");
        List<RawUpstream.Seen> attempts = upstream.seen().stream().filter(x -> x.target().equals("/retry/1")).toList();
        assertThat(attempts).hasSize(2);
        RawUpstream.Seen bad = attempts.get(0);
        assertThat(attempts.get(1).connection()).isNotEqualTo(bad.connection());
        assertNotReused("/retry/1", bad);
    }

    /** A Content-Length or chunked body (chunk extensions and trailers are not expected from the proxy). */
    private static String body(HttpHead head, InputStream in) throws IOException {
        if (head.contentLength() >= 0) return new String(in.readNBytes((int) head.contentLength()), StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        while (true) {
            String line = line(in);
            int size = Integer.parseInt(line, 16);
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return sb.toString();
            }
            sb.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) throw new EOFException();
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void http2Client(Case c) throws Exception {
        // H2Client's aggregator would end at the interim response; the HTTP/1.1 client covers that case.
        assumeFalse(c.name().startsWith("interim"));
        String target = "/h2/" + CASES.indexOf(c);
        try (H2Client h2 = new H2Client("127.0.0.1", proxy.port())) {
            switch (c.outcome()) {
                case BAD_GATEWAY -> {
                    H2Client.Response res = h2.get(target).get(10, TimeUnit.SECONDS);
                    assertThat(res.status()).isEqualTo(502);
                    assertThat(res.body()).contains("\"error\":\"bad_upstream_response\"");
                }
                case RELAYED, VALID -> assertThat(h2.get(target).get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
                case CUT -> assertThatThrownBy(() -> h2.get(target).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class); // reset: the body never completes
            }
            // The connection (and its other streams) carries on.
            assertThat(h2.get("/ok").get(10, TimeUnit.SECONDS).body()).isEqualTo("ok");
        }
        if (c.outcome() != Outcome.VALID) assertNotReused(target);
    }

    /** The upstream connection that sent the bad response never carried another request. */
    private static void assertNotReused(String target) throws IOException {
        assertNotReused(target, upstream.last(target));
    }

    private static void assertNotReused(String target, RawUpstream.Seen bad) throws IOException {
        // A fresh request from a new client: it must not land on the bad response's upstream connection.
        String res = proxy.raw("GET /ok/after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 10_000);
        assertThat(res).startsWith("HTTP/1.1 200");
        assertThat(bad).as(target).isNotNull();
        assertThat(upstream.seen()).noneMatch(s -> s.connection() == bad.connection() && s.indexOnConnection() > bad.indexOnConnection());
    }

    private static byte[] get(String target) {
        return ("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

}
