package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.Downstream;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.ProxyFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Message framing corner cases through the proxy, each followed by a request on the same connection:
 * over HTTP/1.1 as raw bytes, and over HTTP/2 (h2c) where the case exists there (HTTP/2 has no chunked
 * coding, HTTP/1.0 or {@code Expect} status lines: those run over HTTP/1.1 only).
 */
@ParameterizedClass
@EnumSource(ClientProtocol.class)
class HttpSemanticsTest {
    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            clusters: {web: {endpoints: [{address: ${b}}]}}
            routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
            """).withBackend("b");

    @Parameter
    ClientProtocol protocol;

    private boolean http2() {
        return protocol == ClientProtocol.HTTP_2;
    }

    /** Over HTTP/2: the same connection (one H2Client) still answers a following request. */
    private static void assertNextH2RequestWorks(Downstream h2) {
        HttpResponse<String> next = h2.get("/echo/next");
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(Json.parse(next.body()).get("uri").asText()).isEqualTo("/echo/next");
    }

    @Test
    void headResponseHasLengthButNoBody() throws Exception {
        if (http2()) {
            Downstream h2 = proxy.over(protocol);
            HttpResponse<String> res = h2.send(HttpRequest.newBuilder(proxy.uri("/bytes/1000"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEmpty();
            assertThat(res.headers().firstValue("transfer-encoding")).isEmpty();
            assertNextH2RequestWorks(h2);
            return;
        }
        try (Socket s = open()) {
            send(s, "HEAD /bytes/1000 HTTP/1.1\r\nHost: a\r\n\r\n");
            HttpHead head = HttpHead.read(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers()).doesNotContainKey("transfer-encoding");
            assertNextRequestWorks(s);
        }
    }

    @Test
    void noContentAndNotModifiedHaveNoBody() throws Exception {
        if (http2()) {
            Downstream h2 = proxy.over(protocol);
            for (int status : new int[] {204, 304}) {
                HttpResponse<String> res = h2.get("/status/" + status);
                assertThat(res.statusCode()).isEqualTo(status);
                assertThat(res.body()).isEmpty();
                assertThat(res.headers().firstValue("transfer-encoding")).isEmpty();
                assertNextH2RequestWorks(h2);
            }
            return;
        }
        try (Socket s = open()) {
            for (int status : new int[] {204, 304}) {
                send(s, "GET /status/" + status + " HTTP/1.1\r\nHost: a\r\n\r\n");
                HttpHead head = HttpHead.read(s.getInputStream());
                assertThat(head.status()).isEqualTo(status);
                assertThat(head.headers()).doesNotContainKey("transfer-encoding");
                assertNextRequestWorks(s);
            }
        }
    }

    @Test
    void chunkedRequestBodyIsForwardedWhole() throws Exception {
        if (http2()) {
            // HTTP/2's counterpart: a body in DATA frames with no content-length
            Downstream h2 = proxy.over(protocol);
            HttpResponse<String> res = h2.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("hello world")).build());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(Json.parse(res.body()).get("bodyBytes").asLong()).isEqualTo(11);
            assertNextH2RequestWorks(h2);
            return;
        }
        try (Socket s = open()) {
            send(s, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            HttpHead head = HttpHead.read(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            String body = new String(s.getInputStream().readNBytes((int) head.contentLength()), StandardCharsets.UTF_8);
            assertThat(Json.parse(body).get("bodyBytes").asLong()).isEqualTo(11);
            assertNextRequestWorks(s);
        }
    }

    @Test
    void http10RequestIsAnsweredAndClosed() throws Exception {
        assumeTrue(!http2(), "HTTP/1.0 exists over HTTP/1.x connections only");
        try (Socket s = open()) {
            send(s, "GET /echo/old HTTP/1.0\r\n\r\n");
            String all = ProxyFixture.readUntilQuiet(s.getInputStream());
            assertThat(all).startsWith("HTTP/1.1 200").contains("/echo/old").endsWith("<EOF>");
        }
    }

    @Test
    void streamedResponseWithoutLengthIsChunkedForHttp11AndCloseDelimitedForHttp10() throws Exception {
        if (http2()) {
            // HTTP/2 frames a body without a length as DATA frames, never with transfer-encoding
            HttpResponse<String> res = proxy.over(protocol).get("/sse/2/10");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("transfer-encoding")).isEmpty();
            assertThat(res.body()).contains("data: event 2");
            return;
        }
        try (Socket s = open()) {
            send(s, "GET /sse/2/10 HTTP/1.1\r\nHost: a\r\n\r\n");
            HttpHead head = HttpHead.read(s.getInputStream());
            assertThat(head.headers()).containsEntry("transfer-encoding", "chunked");
        }
        try (Socket s = open()) {
            send(s, "GET /sse/2/10 HTTP/1.0\r\n\r\n");
            String all = ProxyFixture.readUntilQuiet(s.getInputStream());
            assertThat(all).doesNotContainIgnoringCase("transfer-encoding").contains("data: event 2").endsWith("<EOF>");
        }
    }

    /**
     * A client that sends {@code Expect: 100-continue} waits for {@code 100 Continue} before its
     * body. The upstream here (like many) never sends one, so the proxy must answer it itself, or
     * every such client stalls for its own timeout (curl: 1 s).
     */
    @Test
    void expectContinueGets100Continue() throws Exception {
        assumeTrue(!http2(), "a raw HTTP/1.1 interim status line on the wire");
        try (Socket s = open()) {
            s.setSoTimeout(1000);
            send(s, "POST /echo/expect HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            HttpHead interim = HttpHead.read(s.getInputStream());
            assertThat(interim.status()).isEqualTo(100);
            send(s, "hello");
            HttpHead head = HttpHead.read(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            String body = new String(s.getInputStream().readNBytes((int) head.contentLength()), StandardCharsets.UTF_8);
            assertThat(Json.parse(body).get("bodyBytes").asLong()).isEqualTo(5);
            assertNextRequestWorks(s);
        }
    }

    private static Socket open() throws Exception {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(3000);
        return s;
    }

    private static void send(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The connection is still in step: a following request gets its own answer. */
    private static void assertNextRequestWorks(Socket s) throws Exception {
        send(s, "GET /echo/next HTTP/1.1\r\nHost: a\r\n\r\n");
        InputStream in = s.getInputStream();
        HttpHead head = HttpHead.read(in);
        assertThat(head.status()).isEqualTo(200);
        String body = new String(in.readNBytes((int) head.contentLength()), StandardCharsets.UTF_8);
        assertThat(Json.parse(body).get("uri").asText()).isEqualTo("/echo/next");
    }
}
