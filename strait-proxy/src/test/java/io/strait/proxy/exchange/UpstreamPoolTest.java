package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.TestBackend;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Upstream connection pools seen through the proxy: limits, queueing, overflow, and clients that leave. */
class UpstreamPoolTest {
    static TestBackend backend;
    static TestBackend lonely;

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            clusters:
              tight: {endpoints: [{address: ${lonely}}], pool: {maxConnections: 1, maxPendingRequests: 3}}
              shared-tight: {endpoints: [{address: ${b}}], pool: {maxConnections: 1, maxPendingRequests: 3}}
              web: {endpoints: [{address: ${b}}]}
            routes:
              - {name: tight, match: {pathPrefix: /tight}, cluster: tight, rewrite: {prefix: /}}
              - {name: shared-tight, match: {pathPrefix: /shared-tight}, cluster: shared-tight, rewrite: {prefix: /}}
              - {name: web, match: {pathPrefix: /}, cluster: web}
            """).withBackend("b").withBackend("lonely");

    @BeforeAll
    static void backends() {
        backend = proxy.backend("b");
        lonely = proxy.backend("lonely");
    }

    /**
     * Ten requests at once on one HTTP/2 connection (one event loop) to an endpoint allowed one
     * connection and three waiters: four are served one after another, six are refused at once.
     */
    @Test
    void pendingQueueServesWaitersInTurnAndRefusesTheOverflow() throws Exception {
        assertOneConnectionAndThreeWaiters("/tight");
    }

    /**
     * The same limits on a cluster whose endpoint is also in another cluster (default limits): pools
     * are per cluster, so "shared-tight" keeps its own limits instead of "web"'s.
     */
    @Test
    void poolLimitsApplyPerClusterWhenClustersShareAnEndpoint() throws Exception {
        assertOneConnectionAndThreeWaiters("/shared-tight");
    }

    private static void assertOneConnectionAndThreeWaiters(String prefix) throws Exception {
        try (H2Client h2 = new H2Client("127.0.0.1", proxy.port())) {
            List<CompletableFuture<H2Client.Response>> all = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) all.add(h2.get(prefix + "/delay/200?i=" + i));
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            int ok = 0;
            int overloaded = 0;
            for (CompletableFuture<H2Client.Response> f : all) {
                H2Client.Response r = f.get();
                if (r.status() == 200) {
                    ok++;
                } else {
                    assertThat(r.status()).as(r.body()).isEqualTo(503);
                    assertThat(Json.parse(r.body()).get("error").asText()).isEqualTo("upstream_overloaded");
                    overloaded++;
                }
            }
            assertThat(ok).isEqualTo(4);
            assertThat(overloaded).isEqualTo(6);
            // One connection: the four ran one after another.
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(4 * 200 - 50);
        }
    }

    @Test
    void clientLeavingMidDownloadDiscardsTheUpstreamConnection() throws Exception {
        long sentBefore = backend.bytesSent();
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.getOutputStream().write("GET /bytes/268435456 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            assertThat(HttpHead.read(in).status()).isEqualTo(200);
            in.readNBytes(1 << 20);
        } // the client is gone with 255 MiB to go
        awaitNoActiveUpstream();
        // The backend stopped well short of the end: its connection was closed, not drained.
        long sent = backend.bytesSent() - sentBefore;
        assertThat(sent).isLessThan(256L << 20);
        assertThat(proxy.get("/echo/after").statusCode()).isEqualTo(200);
    }

    @Test
    void clientLeavingWhileWaitingForTheUpstreamReleasesItAtOnce() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.getOutputStream().write("GET /delay/3000 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.received().stream().anyMatch(r -> r.uri().equals("/delay/3000")));
        }
        long t0 = System.nanoTime();
        awaitNoActiveUpstream();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
        await().atMost(Duration.ofSeconds(5)).until(() -> Metrics.scrape(proxy).value("strait_downstream_requests_active", Map.of()) == 0);
    }

    @Test
    void sequentialHttp2StreamsReuseOneUpstreamConnection() throws Exception {
        try (H2Client h2 = new H2Client("127.0.0.1", proxy.port())) {
            for (int i = 0; i < 3; i++) h2.get("/echo/warm").get(5, TimeUnit.SECONDS);
            int before = backend.connectionCount();
            for (int i = 0; i < 30; i++) assertThat(h2.get("/echo/" + i).get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(backend.connectionCount() - before).isLessThanOrEqualTo(1);
        }
    }

    private static void awaitNoActiveUpstream() {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Metrics m = Metrics.scrape(proxy);
            assertThat(m.sum("strait_upstream_connections", Map.of("state", "active"))).isZero();
        });
    }
}
