package io.strait.gateway.ratelimit.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.Rate;
import io.strait.proxy.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Redis stopped under a running hybrid store, then restarted: local limits meanwhile, then syncs resume. */
class HybridRedisOutageTest {
    @Test
    void admissionGoesOnLocallyDuringAnOutageAndSyncsResumeAfterIt() throws Exception {
        // one request per 10 s, burst 5: every admission shows in Redis's TAT as 10 s
        Rate rate = new Rate(6, Duration.ofMinutes(1), 5);
        Bucket b = new Bucket("p", "{c}:p", "c", rate, true);
        String key = "out:{c}:p";
        try (RedisServer redis = RedisServer.start();
                HybridRateLimitStore s = HybridRateLimitStore.connect(
                        HybridRedisTest.config(redis.uri(), "out:", Duration.ofMillis(50), 1000))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> s.syncs() >= 2 && s.healthy());
            assertThat(s.acquireNow(List.of(b)).allowed()).isTrue();
            assertThat(s.acquireNow(List.of(b)).allowed()).isTrue();
            await().atMost(Duration.ofSeconds(3)).until(() -> !"(nil)".equals(redis.command("GET", key)));
            long before = Long.parseLong(redis.command("GET", key)) - HybridRedisTest.redisNowMicros(redis);
            assertThat(before).isBetween(19_000_000L, 20_000_000L);

            redis.stop();
            await().atMost(Duration.ofSeconds(5)).until(() -> !s.healthy());
            long failures = s.syncFailures();
            assertThat(failures).isPositive();
            // the hot path neither blocks nor fails: the local bucket has 3 left, then refuses
            long t0 = System.nanoTime();
            int admitted = 0;
            for (int i = 0; i < 1000; i++) if (s.acquireNow(List.of(b)).allowed()) admitted++;
            long micros = (System.nanoTime() - t0) / 1000;
            System.out.printf("outage: %d of 1000 admitted locally in %d µs; %d failed syncs%n", admitted, micros, failures);
            assertThat(admitted).isEqualTo(3);
            assertThat(micros).isLessThan(500_000);

            long syncs = s.syncs();
            redis.restart();
            await().atMost(Duration.ofSeconds(10)).until(s::healthy);
            await().atMost(Duration.ofSeconds(5)).until(() -> s.syncs() > syncs + 1);
            // the 3 outage admissions were pushed: Redis's TAT moved by 3 × 10 s
            long after = Long.parseLong(redis.command("GET", key)) - HybridRedisTest.redisNowMicros(redis);
            System.out.printf("Redis TAT ahead of now: %.1f s before the outage, %.1f s after it%n", before / 1e6, after / 1e6);
            assertThat(after).isBetween(45_000_000L, 50_000_000L);
            assertThat(s.acquireNow(List.of(b)).allowed()).isFalse();
        }
    }
}
