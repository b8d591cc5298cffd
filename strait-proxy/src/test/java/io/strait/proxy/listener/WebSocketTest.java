package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.TestBackend;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WebSocket through the proxy: the upgrade is forwarded, then both connections become a byte tunnel. */
class WebSocketTest {
    static TestBackend backend;

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            clusters: {ws: {endpoints: [{address: ${b}}]}}
            routes: [{name: ws, match: {pathPrefix: /}, cluster: ws}]
            """).withBackend("b");

    @BeforeAll
    static void backends() {
        backend = proxy.backend("b");
    }

    @Test
    void textMessagesEchoAndTheSessionClosesCleanly() throws Exception {
        Recorder rec = new Recorder();
        WebSocket ws = proxy.client().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), rec)
                .get(5, TimeUnit.SECONDS);
        for (String m : List.of("hello", "second message", "x".repeat(10_000), "last")) {
            ws.sendText(m, true).get(5, TimeUnit.SECONDS);
            assertThat(rec.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: " + m);
        }
        assertThat(Metrics.scrape(proxy).value("strait_downstream_connections_active", Map.of("listener", "public")))
                .isGreaterThanOrEqualTo(1);

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(rec.closed.get(5, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        assertThat(rec.errors).isEmpty();
        // Both ends of the tunnel go away: no client connection and no upstream connection stays open.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Metrics m = Metrics.scrape(proxy);
            assertThat(m.value("strait_downstream_connections_active", Map.of("listener", "public"))).isZero();
            assertThat(m.sum("strait_upstream_connections", Map.of("cluster", "ws", "state", "active"))).isZero();
        });
        assertThat(backend.received()).anySatisfy(r -> assertThat(r.uri()).isEqualTo("/ws"));
    }

    @Test
    void plainRequestsStillWorkAfterATunnelClosed() throws Exception {
        Recorder rec = new Recorder();
        WebSocket ws = proxy.client().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), rec).get(5, TimeUnit.SECONDS);
        ws.sendText("ping", true).get(5, TimeUnit.SECONDS);
        assertThat(rec.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: ping");
        ws.abort(); // the client vanishes without a close handshake
        for (int i = 0; i < 5; i++) assertThat(proxy.get("/echo/" + i).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                Metrics.scrape(proxy).sum("strait_upstream_connections", Map.of("cluster", "ws", "state", "active"))).isZero());
    }

    /** An upgrade the upstream does not accept is an ordinary exchange; the connection stays HTTP. */
    @Test
    void refusedUpgradeIsAPlainResponseOnAReusableConnection() throws Exception {
        String res = proxy.raw("GET /echo/no-ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
                + "GET /echo/next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 3000);
        assertThat(res).startsWith("HTTP/1.1 200").contains("\"uri\":\"/echo/no-ws\"").contains("\"uri\":\"/echo/next\"")
                .endsWith("<EOF>");
    }

    /** Collects what the proxy sends back. */
    static final class Recorder implements WebSocket.Listener {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            errors.add(error);
            closed.completeExceptionally(error);
        }
    }
}
