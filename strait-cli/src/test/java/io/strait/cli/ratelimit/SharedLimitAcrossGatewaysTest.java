package io.strait.cli.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.RedisServer;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes sharing one real redis-server enforce one limit: exactly (redis store) or within
 * the documented bound (hybrid store).
 */
class SharedLimitAcrossGatewaysTest {
    @TempDir
    Path dir;

    private RedisServer redis;
    private TestBackend backend;
    private final List<GatewayProcess> gateways = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        backend = new TestBackend("b");
    }

    @AfterEach
    void stop() {
        gateways.forEach(GatewayProcess::close);
        if (backend != null) backend.close();
        if (redis != null) redis.close();
    }

    /**
     * Fail closed, and a generous timeout: a Redis answer slower than the timeout (two cold JVMs taking a
     * burst) would otherwise be decided by each gateway's local fallback, and the test would count those.
     */
    private String config(String store, String extraStore, int limit, String window) {
        return "rateLimits:\n"
                + "  store: {type: " + store + ", uri: \"" + redis.uri() + "\", timeout: 5s" + extraStore + "}\n"
                + "  policies:\n"
                + "    shared: {limit: " + limit + ", window: " + window + ", key: [client], onStoreError: closed}\n"
                + "clusters:\n  b: {endpoints: [{address: \"" + backend.address() + "\"}]}\n"
                + "routes:\n  - {name: api, match: {pathPrefix: /api}, cluster: b, rateLimit: [shared]}\n";
    }

    /** {@code perGateway} concurrent GETs to each gateway at once; the count of 200s. */
    private static long fire(List<GatewayProcess> gws, int perGateway) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < perGateway; i++) {
            for (GatewayProcess g : gws) {
                all.add(client.sendAsync(HttpRequest.newBuilder(g.uri("/api/x")).build(), HttpResponse.BodyHandlers.ofString()));
            }
        }
        long ok = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            int status = r.statusCode();
            assertThat(status).as(r.body()).isIn(200, 429);
            if (status == 200) ok++;
        }
        return ok;
    }

    @Test
    void twoGatewaysWithTheRedisStoreAdmitExactlyTheLimitBetweenThem() throws Exception {
        String yaml = config("redis", "", 40, "1h");
        gateways.add(GatewayProcess.start(dir, "gw1", yaml));
        gateways.add(GatewayProcess.start(dir, "gw2", yaml));
        int before = backend.requestCount();
        assertThat(fire(gateways, 60)).isEqualTo(40);
        assertThat(backend.requestCount() - before).isEqualTo(40);
        assertThat(fire(gateways, 5)).isZero(); // and the bucket stays empty for both
        HttpResponse<String> refused = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(gateways.get(1).uri("/api/x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("\"error\":\"rate_limited\"");
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
    }

    @Test
    void twoGatewaysWithTheHybridStoreStayWithinTheDocumentedBound() throws Exception {
        // limit 40 per hour, burst 40, sync every 100 ms: the documented bound for G = 2 gateways,
        // burst + rate * D + (G - 1) * (burst + 2 * rate * S), is 40 + ~0 + 40 + ~0 = 80
        String yaml = config("hybrid", ", syncInterval: 100ms", 40, "1h");
        gateways.add(GatewayProcess.start(dir, "gw1", yaml));
        gateways.add(GatewayProcess.start(dir, "gw2", yaml));
        long admitted = fire(gateways, 60);
        assertThat(admitted).isBetween(40L, 80L);
        // two successful syncs of each gateway after the burst: each now knows what the other admitted (a probe
        // request would be charged to the buckets the test counts; the sync counter is not)
        List<Long> after = new ArrayList<>();
        for (GatewayProcess g : gateways) after.add(syncs(g));
        await().atMost(Duration.ofSeconds(20)).until(() -> syncs(gateways.get(0)) >= after.get(0) + 2
                && syncs(gateways.get(1)) >= after.get(1) + 2);
        assertThat(fire(gateways, 10)).isZero();
    }


    /** The gateway's successful hybrid syncs so far, from its {@code /metrics}. */
    private static long syncs(GatewayProcess g) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + g.adminPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^strait_ratelimit_hybrid_syncs_total\\{result=\"success\"} ([0-9.eE+]+)$").matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }
}
