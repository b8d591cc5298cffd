package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.gateway.GatewayUnderTest.Answer;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.RedisExtension;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The redis store end to end: shared buckets in a real redis-server, its failure policies, and recovery. */
class GatewayRateLimitRedisTest {
    private static final String CONFIG = """
            rateLimits:
              store: {type: redis, uri: "${redis}", timeout: 200ms}
              policies:
                lenient: {limit: 3, window: 1m, key: [client]}
                strict: {limit: 3, window: 1m, key: [client], onStoreError: closed}
            clusters:
              b: {endpoints: [{address: "${b}"}]}
            routes:
              - {name: open, match: {pathPrefix: /open}, cluster: b, rateLimit: [lenient]}
              - {name: closed, match: {pathPrefix: /closed}, cluster: b, rateLimit: [strict]}
            """;

    /** One redis-server for the class, running and empty before each test. */
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();
    /** A gateway per test (on an instance field): each starts with fresh in-process state. */
    @RegisterExtension
    final ProxyExtension gateway = GatewayUnderTest.extension(CONFIG).var("redis", redis::uri);
    private GatewayUnderTest gw;

    @BeforeEach
    void wrap() {
        gw = GatewayUnderTest.on(gateway);
    }

    private int[] statuses(String path, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = gw.get(path).status();
        return out;
    }

    @Test
    void bucketsLiveInRedisUnderHashTaggedKeysThatExpire() throws Exception {
        assertThat(statuses("/open", 5)).containsExactly(200, 200, 200, 429, 429);
        assertThat(statuses("/closed", 4)).containsExactly(200, 200, 200, 429);
        try (var client = io.lettuce.core.RedisClient.create(redis.uri()); var c = client.connect()) {
            var keys = c.sync().keys("rate_limit:*");
            assertThat(keys).contains("rate_limit:{ip.127.0.0.1}:lenient", "rate_limit:{ip.127.0.0.1}:strict");
            for (String k : keys) assertThat(c.sync().pttl(k)).isBetween(1L, 61_000L);
        }
    }

    @Test
    void aReloadCanMoveBucketsFromRedisToThisProcessAndBack() throws Exception {
        Map<String, String> vars = Map.of("redis", redis.uri(), "b", gw.backend.address());
        assertThat(statuses("/open", 4)).containsExactly(200, 200, 200, 429);
        String local = CONFIG.replace("  store: {type: redis, uri: \"${redis}\", timeout: 200ms}\n", "");
        gw.proxy.writeConfig(local, vars);
        assertThat(gw.proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
        // a new store starts with empty buckets: three more, counted in this process only
        assertThat(statuses("/open", 4)).containsExactly(200, 200, 200, 429);
        gw.proxy.writeConfig(CONFIG, vars);
        assertThat(gw.proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
        // back on Redis, where the bucket still holds the first three
        assertThat(statuses("/open", 1)).containsExactly(429);
        String metrics = gw.proxy.admin("GET", "/metrics").body();
        assertThat(metrics).contains("strait_ratelimit_redis_breaker_state{state=\"closed\"} 1.0")
                .contains("strait_ratelimit_redis_breaker_state{state=\"open\"} 0.0");
    }

    @Test
    void redisDownFailsOpenToLocalLimitsOrClosedWith503QuicklyAndRecoversWithoutARestart() throws Exception {
        assertThat(statuses("/open", 4)).containsExactly(200, 200, 200, 429);
        redis.stop();
        // fail open: the local fallback still limits (a bucket of its own, so 3 more)
        assertThat(statuses("/open", 4)).containsExactly(200, 200, 200, 429);
        // fail closed: 503 with the JSON error, and no request waits on the dead Redis
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            Answer a = gw.get("/closed");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            a.refused(503, "rate_limit_unavailable");
        }
        String metrics = gw.proxy.admin("GET", "/metrics").body();
        assertThat(metrics).contains("strait_ratelimit_requests_total{result=\"unavailable\",route=\"closed\"} 5.0");

        redis.restart();
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> gw.get("/closed").status() != 503);
        // Redis came back empty (no persistence): the shared buckets start again, counted in Redis
        try (var client = io.lettuce.core.RedisClient.create(redis.uri()); var c = client.connect()) {
            assertThat(c.sync().keys("rate_limit:*")).contains("rate_limit:{ip.127.0.0.1}:strict");
        }
    }
}
