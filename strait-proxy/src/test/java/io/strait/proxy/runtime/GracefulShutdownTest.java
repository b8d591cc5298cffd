package io.strait.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ProxyServer#shutdown()}: stop accepting, let requests in flight finish, close idle connections at once. */
class GracefulShutdownTest {
    private static final String CONFIG = """
            drainTimeout: 10s
            clusters: {web: {endpoints: [{address: ${b}}]}}
            routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
            """;

    TestBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        backend = new TestBackend("g");
        proxy = ProxyFixture.start(CONFIG, Map.of("b", backend.address()));
    }

    @AfterEach
    void stop() {
        proxy.close(); // after shutdown(): must be harmless
        backend.close();
    }

    @Test
    void requestInFlightCompletesWhileNewConnectionsAreRefused() throws Exception {
        int port = proxy.port();
        CompletableFuture<HttpResponse<String>> slow = proxy.client().sendAsync(
                HttpRequest.newBuilder(proxy.uri("/delay/1500")).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.received().stream().anyMatch(r -> r.uri().equals("/delay/1500")));

        long t0 = System.nanoTime();
        CompletableFuture<Long> shutdown = CompletableFuture.supplyAsync(() -> {
            proxy.server().shutdown();
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        });
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class));
        assertThat(proxy.admin("GET", "/ready").statusCode()).isEqualTo(503);
        assertThat(shutdown).isNotDone();

        HttpResponse<String> res = slow.get(5, TimeUnit.SECONDS);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(Json.parse(res.body()).get("uri").asText()).isEqualTo("/delay/1500");
        // The response told the client this connection ends.
        assertThat(res.headers().firstValue("connection")).hasValue("close");
        long took = shutdown.get(5, TimeUnit.SECONDS);
        assertThat(took).as("shutdown waits for the request, not for the 10 s drain timeout").isBetween(800L, 5000L);
    }

    @Test
    void idleProxyShutsDownAtOnceAndClosesKeepAliveConnections() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            HttpHead head = HttpHead.read(in);
            assertThat(head.status()).isEqualTo(200);
            in.readNBytes((int) head.contentLength());

            long t0 = System.nanoTime();
            proxy.server().shutdown();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(took).as("drain timeout is 10 s; nothing was in flight").isLessThan(2000);
            assertThat(in.read()).as("idle keep-alive connection closed").isEqualTo(-1);
        }
    }

    @Test
    void http2StreamInFlightCompletesAndTheClientGetsGoAway() throws Exception {
        try (H2Client h2 = new H2Client("127.0.0.1", proxy.port())) {
            CompletableFuture<H2Client.Response> slow = h2.get("/delay/1000");
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.received().stream().anyMatch(r -> r.uri().equals("/delay/1000")));
            long t0 = System.nanoTime();
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> proxy.server().shutdown());
            assertThat(h2.goAway().get(2, TimeUnit.SECONDS)).isNotNull();
            H2Client.Response res = slow.get(5, TimeUnit.SECONDS);
            assertThat(res.status()).isEqualTo(200);
            shutdown.get(5, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5000);
        }
    }

    @Test
    void pipelinedRequestAfterShutdownBeganIsNotStarted() throws IOException {
        // Drain means: finish the request in flight, answer it with Connection: close, start no new one.
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /delay/800 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.received().stream().anyMatch(r -> r.uri().equals("/delay/800")));
            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> proxy.server().shutdown());
            await().atMost(Duration.ofSeconds(2)).until(() -> !proxy.server().ready());
            s.getOutputStream().write("GET /echo/late HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String all = ProxyFixture.readUntilQuiet(s.getInputStream());
            assertThat(all).startsWith("HTTP/1.1 200").contains("/delay/800").doesNotContain("/echo/late").endsWith("<EOF>");
            shutdown.join();
        }
        assertThat(backend.received()).noneSatisfy(r -> assertThat(r.uri()).isEqualTo("/echo/late"));
    }
}
