package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Message framing corner cases through the proxy, each followed by a request on the same connection. */
class HttpSemanticsTest {
    static TestBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend("sem");
        proxy = ProxyFixture.start("""
                clusters: {web: {endpoints: [{address: ${b}}]}}
                routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
                """, Map.of("b", backend.address()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void headResponseHasLengthButNoBody() throws Exception {
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
        try (Socket s = open()) {
            send(s, "GET /echo/old HTTP/1.0\r\n\r\n");
            String all = ProxyFixture.readUntilQuiet(s.getInputStream());
            assertThat(all).startsWith("HTTP/1.1 200").contains("/echo/old").endsWith("<EOF>");
        }
    }

    @Test
    void streamedResponseWithoutLengthIsChunkedForHttp11AndCloseDelimitedForHttp10() throws Exception {
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
