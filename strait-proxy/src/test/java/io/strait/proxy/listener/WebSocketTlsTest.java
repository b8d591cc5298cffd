package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code wss://} through a TLS listener to an HTTPS upstream: after the 101 both connections become a byte tunnel
 * that keeps each side's TLS (the relay carries the WebSocket frames, never the TLS records of one side to the other). Messages stay under 16 KiB: the JDK client fragments longer ones, which the test backend does not reassemble.
 */
class WebSocketTlsTest {
    static Path dir;
    static TestCerts.Ca ca;
    static TestBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("strait-wss");
        TestCerts certs = new TestCerts(dir);
        ca = certs.ca("ca");
        ca.server("gateway", "localhost");
        backend = TestBackend.tls("ws", TestCerts.Ca.serverContext(ca.server("upstream", "ws.internal")));
        proxy = ProxyFixture.start("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    tls: {certificates: [{certFile: ${dir}/gateway.pem, keyFile: ${dir}/gateway.key}]}
                clusters:
                  ws: {endpoints: [{address: ${b}}], tls: {sni: ws.internal, caFile: ${ca}}}
                routes:
                  - {name: ws, match: {pathPrefix: /}, cluster: ws}
                """, Map.of("b", backend.address(), "dir", dir.toString(), "ca", ca.certFile.toString()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void messagesEchoOverTlsOnBothSides() throws Exception {
        WebSocketTest.Recorder rec = new WebSocketTest.Recorder();
        HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
        WebSocket ws = client.newWebSocketBuilder()
                .buildAsync(URI.create("wss://localhost:" + proxy.port() + "/ws"), rec)
                .get(10, TimeUnit.SECONDS);
        for (String m : List.of("hello", "x".repeat(15_000), "last")) {
            ws.sendText(m, true).get(5, TimeUnit.SECONDS);
            assertThat(rec.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: " + m);
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(rec.closed.get(5, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        assertThat(rec.errors).isEmpty();
        assertThat(backend.serverNames()).contains("ws.internal");
    }
}
