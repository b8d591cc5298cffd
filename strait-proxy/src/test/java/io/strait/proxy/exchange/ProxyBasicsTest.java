package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.Downstream;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The core proxy path through a real Strait and a real backend, with the JDK HttpClient and raw sockets,
 * over HTTP/1.1 and HTTP/2 (h2c) from the client; raw-byte tests of HTTP/1.1 framing run over HTTP/1.1 only.
 */
@ParameterizedClass
@EnumSource(ClientProtocol.class)
class ProxyBasicsTest {
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            clusters:
              web: {endpoints: [{address: ${b1}}]}
              dead: {endpoints: [{address: 127.0.0.1:${dead}}]}
            routes:
              - {name: slow, match: {path: /delay/3000}, cluster: web, timeout: 300ms}
              - {name: small, match: {pathPrefix: /small}, cluster: web, maxRequestBodySize: 10}
              - {name: dead, match: {pathPrefix: /dead}, cluster: dead}
              - {name: rewrite, match: {pathPrefix: /v1/things}, cluster: web, rewrite: {prefix: /things, host: things.internal}}
              - {name: web, match: {pathPrefix: /}, cluster: web}
            """).withBackend("b1").refusedPort("dead");

    @Parameter
    ClientProtocol protocol;

    private Downstream client() {
        return proxy.over(protocol);
    }

    private static TestBackend backend() {
        return proxy.backend("b1");
    }

    /** Skips the HTTP/2 run of a test about HTTP/1.1 bytes on the wire, saying why. */
    private void http1Only(String why) {
        assumeTrue(protocol == ClientProtocol.HTTP_1_1, why);
    }

    @Test
    void forwardsWithRequestIdAndForwardedHeaders() {
        HttpResponse<String> res = client().send(HttpRequest.newBuilder(proxy.uri("/echo/a?x=1"))
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-Host", "evil.example")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .build());
        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode body = Json.parse(res.body());
        JsonNode h = body.get("headers");
        assertThat(body.get("uri").asText()).isEqualTo("/echo/a?x=1");
        assertThat(h.get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        assertThat(h.get("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(h.get("x-forwarded-host").asText()).isEqualTo("127.0.0.1:" + proxy.port());
        String id = res.headers().firstValue("x-request-id").orElseThrow();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(h.get("x-request-id").asText()).isEqualTo(id);
        // The trace continues through this hop with a span id of its own.
        assertThat(h.get("traceparent").asText()).matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01")
                .doesNotContain("b7ad6b7169203331");
        // Without an incoming trace or an exporter, nothing is invented.
        JsonNode plain = Json.parse(client().get("/echo/plain").body()).get("headers");
        assertThat(plain.has("traceparent")).isFalse();
    }

    @Test
    void keepsWellFormedRequestIdAndReplacesBadOnes() {
        HttpResponse<String> kept = client().send(HttpRequest.newBuilder(proxy.uri("/echo")).header("X-Request-Id", "abc-123.x").build());
        assertThat(kept.headers().firstValue("x-request-id")).hasValue("abc-123.x");
        HttpResponse<String> replaced = client().send(HttpRequest.newBuilder(proxy.uri("/echo")).header("X-Request-Id", "a b\"<script>").build());
        assertThat(replaced.headers().firstValue("x-request-id").orElseThrow()).matches("[0-9a-f]{32}");
    }

    @Test
    void stripsHopByHopHeaders() throws Exception {
        http1Only("connection-specific headers make an HTTP/2 request malformed (RFC 9113 8.2.2)");
        String res = proxy.raw("GET /echo HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret-Hop\r\n"
                + "X-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic abc\r\n"
                + "Upgrade: h2c\r\nX-Kept: yes\r\n\r\n", 1000);
        assertThat(res).startsWith("HTTP/1.1 200");
        JsonNode h = Json.parse(res.substring(res.indexOf("\r\n\r\n") + 4).trim()).get("headers");
        assertThat(h.has("x-kept")).isTrue();
        for (String gone : new String[] {"x-secret-hop", "keep-alive", "te", "proxy-authorization", "upgrade", "connection"}) {
            assertThat(h.has(gone)).as(gone).isFalse();
        }
    }

    @Test
    void unknownRouteIsJson404OnAReusableConnection() throws Exception {
        http1Only("two requests written back to back on one HTTP/1.1 connection");
        try (ProxyFixture p = ProxyFixture.start("""
                clusters: {web: {endpoints: [{address: ${b1}}]}}
                routes: [{name: web, match: {pathPrefix: /only}, cluster: web}]
                """, Map.of("b1", backend().address()))) {
            String res = p.raw("GET /elsewhere HTTP/1.1\r\nHost: a\r\n\r\nGET /only/x HTTP/1.1\r\nHost: a\r\n\r\n", 1500);
            assertThat(res).startsWith("HTTP/1.1 404");
            JsonNode json = Json.parse(res.substring(res.indexOf('{'), res.indexOf('}') + 1));
            assertThat(json.get("error").asText()).isEqualTo("route_not_found");
            assertThat(json.get("requestId").asText()).matches("[0-9a-f]{32}");
            assertThat(res).contains("\"uri\":\"/only/x\"").doesNotContain("<EOF>");
        }
    }

    @Test
    void refusedUpstreamIs503Json() {
        HttpResponse<String> res = client().get("/dead/x");
        assertThat(res.statusCode()).isEqualTo(503);
        JsonNode body = Json.parse(res.body());
        assertThat(body.get("error").asText()).isEqualTo("upstream_connect_failure");
        assertThat(body.get("requestId").asText()).isEqualTo(res.headers().firstValue("x-request-id").orElseThrow());
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Test
    void resetBeforeResponseIs502() {
        HttpResponse<String> res = client().get("/reset");
        assertThat(res.statusCode()).isEqualTo(502);
        assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("upstream_reset");
    }

    @Test
    void slowUpstreamIs504AfterRouteTimeout() {
        long t0 = System.nanoTime();
        HttpResponse<String> res = client().get("/delay/3000");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(res.statusCode()).isEqualTo(504);
        assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("upstream_timeout");
        assertThat(ms).isLessThan(2500);
    }

    @Test
    void bodyOverRouteLimitIs413() {
        HttpResponse<String> res = client().send(HttpRequest.newBuilder(proxy.uri("/small"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build());
        assertThat(res.statusCode()).isEqualTo(413);
        assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("payload_too_large");
    }

    @Test
    void chunkedBodyOverLimitIs413AndNeverCompletesUpstream() throws Exception {
        http1Only("chunked transfer coding is HTTP/1.1's (HTTP/2 frames the body itself: bodyOverRouteLimitIs413)");
        int before = backend().requestCount();
        String res = proxy.raw("POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n", 2000);
        assertThat(res).startsWith("HTTP/1.1 413");
        assertThat(res).contains("payload_too_large");
    }

    @Test
    void postBodyIsForwarded() {
        HttpResponse<String> res = client().send(HttpRequest.newBuilder(proxy.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("y".repeat(100_000))).build());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(Json.parse(res.body()).get("bodyBytes").asLong()).isEqualTo(100_000);
    }

    @Test
    void prefixAndHostRewrite() {
        JsonNode body = Json.parse(client().get("/v1/things/42?q=1").body());
        assertThat(body.get("uri").asText()).isEqualTo("/things/42?q=1");
        assertThat(body.get("headers").get("host").asText()).isEqualTo("things.internal");
    }

    @Test
    void upstreamConnectionsAreReused() {
        for (int i = 0; i < 5; i++) client().get("/echo/warm");
        int before = backend().connectionCount();
        for (int i = 0; i < 50; i++) assertThat(client().get("/echo/" + i).statusCode()).isEqualTo(200);
        assertThat(backend().connectionCount() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void pipelinedRequestsAnswerInOrder() throws Exception {
        http1Only("pipelining is HTTP/1.1's; HTTP/2 multiplexes streams instead");
        String res = proxy.raw("GET /delay/200 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /echo/second HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /echo/third HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 3000);
        int first = res.indexOf("\"uri\":\"/delay/200\"");
        assertThat(res).as(res).contains("/echo/third");
        int second = res.indexOf("\"uri\":\"/echo/second\"");
        int third = res.indexOf("\"uri\":\"/echo/third\"");
        assertThat(first).as(res).isPositive();
        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
        assertThat(res).endsWith("<EOF>");
    }

    @Test
    void manyPipelinedRequestsWithBodiesInOneWriteAreAllAnsweredInOrder() throws Exception {
        http1Only("pipelining is HTTP/1.1's; HTTP/2 multiplexes streams instead");
        // More requests than the handler's read depth (8), heads and bodies decoded ahead of being read:
        // they wait in DownstreamHandler and are served one at a time, in order, none lost.
        StringBuilder req = new StringBuilder();
        int n = 24;
        for (int i = 0; i < n; i++) {
            String close = i == n - 1 ? "Connection: close\r\n" : "";
            if (i % 2 == 0) {
                req.append("GET /echo/r").append(i).append(" HTTP/1.1\r\nHost: a\r\n").append(close).append("\r\n");
            } else {
                String body = "b".repeat(i);
                req.append("POST /echo/r").append(i).append(" HTTP/1.1\r\nHost: a\r\nContent-Length: ").append(body.length())
                        .append("\r\n").append(close).append("\r\n").append(body);
            }
        }
        String res = proxy.raw(req.toString(), 5000);
        int at = -1;
        for (int i = 0; i < n; i++) {
            String answer = "\"uri\":\"/echo/r" + i + "\",\"bodyBytes\":" + (i % 2 == 1 ? i : 0) + ",";
            int next = res.indexOf(answer, at + 1);
            assertThat(next).as("answer %d (%s) in %s", i, answer, res).isGreaterThan(at);
            at = next;
        }
        assertThat(res).endsWith("<EOF>");
    }

    @Test
    void expectContinueIsRelayedAndTheBodyFollows() throws Exception {
        http1Only("raw HTTP/1.1 bytes: 100-continue as a status line on the wire");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(3000);
            var out = s.getOutputStream();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
            out.write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n".getBytes());
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 100 Continue");
            String line;
            while (!(line = in.readLine()).isEmpty()) {
                assertThat(line).doesNotStartWithIgnoringCase("content-length");
            }
            out.write("hello".getBytes());
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            StringBuilder rest = new StringBuilder();
            char[] buf = new char[4096];
            int n = in.read(buf);
            rest.append(buf, 0, n);
            assertThat(rest.toString()).contains("\"bodyBytes\":5");
        }
    }

    @Test
    void http10ClientGetsClosedConnection() throws Exception {
        http1Only("an HTTP/1.0 client");
        String res = proxy.raw("GET /echo HTTP/1.0\r\nHost: a\r\n\r\n", 2000);
        assertThat(res).startsWith("HTTP/1.1 200").endsWith("<EOF>");
    }

    @Test
    void upstreamClosingMidBodyCutsTheClientConnection() throws Exception {
        http1Only("the HTTP/1.1 connection is cut; over HTTP/2 only the stream is reset");
        String res = proxy.raw("GET /half HTTP/1.1\r\nHost: a\r\n\r\n", 3000);
        assertThat(res).startsWith("HTTP/1.1 200");
        assertThat(res).containsAnyOf("<EOF>", "<RESET>");
    }
}
