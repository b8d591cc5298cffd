package io.strait.proxy.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Pool limits: idle eviction, the connection cap with a bounded wait queue, and retirement after N requests. */
class PoolLimitsTest {
    @Test
    void idleConnectionsAreEvicted() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}], pool: {idleTimeout: 200ms}}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
                     """, Map.of("b", b.address()))) {
            assertThat(p.get("/echo").statusCode()).isEqualTo(200);
            // the connection goes back to the pool just after the response is flushed to the client
            await().atMost(Duration.ofSeconds(2)).until(() -> idle(p) == 1);
            await().atMost(Duration.ofSeconds(3)).until(() -> idle(p) == 0);
            assertThat(p.get("/echo").statusCode()).isEqualTo(200); // a fresh connection is made
            assertThat(b.connectionCount()).isEqualTo(2);
        }
    }

    @Test
    void connectionCapQueuesThenOverflowsWith503() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}], pool: {maxConnections: 1, maxPendingRequests: 2}}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
                     """, Map.of("b", b.address()))) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                all.add(p.client().sendAsync(HttpRequest.newBuilder(p.uri("/delay/300")).build(), HttpResponse.BodyHandlers.ofString()));
            }
            long ok = 0;
            long overloaded = 0;
            for (var f : all) {
                HttpResponse<String> r = f.join();
                if (r.statusCode() == 200) ok++;
                else if (r.statusCode() == 503 && Json.parse(r.body()).get("error").asText().equals("upstream_overloaded")) overloaded++;
            }
            assertThat(ok + overloaded).isEqualTo(12);
            assertThat(overloaded).isPositive();
            // one connection per event loop at most (the cap is per process, shared out across loops)
            assertThat(b.connectionCount()).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void connectionsRetireAfterMaxRequests() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}], pool: {maxRequestsPerConnection: 3}}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
                     """, Map.of("b", b.address()))) {
            for (int i = 0; i < 9; i++) assertThat(p.get("/echo").statusCode()).isEqualTo(200);
            assertThat(b.connectionCount()).isEqualTo(3);
        }
    }

    private static int idle(ProxyFixture p) {
        var eps = Json.parse(p.admin("GET", "/clusters").body()).get("clusters").get("web").get("endpoints");
        return eps.get(0).get("pool").get("idle").asInt();
    }
}
