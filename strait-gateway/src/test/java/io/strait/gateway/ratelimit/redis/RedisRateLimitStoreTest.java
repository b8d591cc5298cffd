package io.strait.gateway.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strait.config.model.RateLimitsConfig;
import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.BucketState;
import io.strait.gateway.ratelimit.Gcra;
import io.strait.gateway.ratelimit.Rate;
import io.strait.gateway.ratelimit.RateLimitStoreException;
import io.strait.gateway.ratelimit.Verdict;
import io.strait.gateway.redis.RedisBreaker;
import io.strait.proxy.testing.RedisExtension;
import io.strait.proxy.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The redis store against a real redis-server: exact counts, GCRA on Redis's clock, expiry, outages. */
class RedisRateLimitStoreTest {
    /** Generous: these tests are about counts, not speed, and share two cores with other builds. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Rate FIVE_PER_500MS = new Rate(5, Duration.ofMillis(500), 5);
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    /** One redis-server for the class; tests keep apart by key prefix, so nothing is flushed between them. */
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension().keepData();

    @BeforeAll
    static void warmUp() throws Exception {
        // a cold JVM takes a while to load the Redis client's classes: not what the tests measure
        try (RedisRateLimitStore s = store("warmup:")) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> s.acquire(List.of(bucket("p", "c", perHour(1)))).toCompletableFuture().join() != null);
        }
    }

    static RateLimitsConfig.Store config(String uri, boolean cluster, String prefix, Duration timeout) {
        return new RateLimitsConfig.Store(RateLimitsConfig.StoreType.REDIS, uri, cluster, timeout,
                RateLimitsConfig.DEFAULT_SYNC_INTERVAL, prefix, RateLimitsConfig.DEFAULT_MAX_LOCAL_BUCKETS);
    }

    private static String prefix() {
        return "t" + PREFIXES.incrementAndGet() + ":rl:";
    }

    private static RedisRateLimitStore store(String prefix) {
        return new RedisRateLimitStore(config(redis.uri(), false, prefix, TIMEOUT));
    }

    /** A bucket keyed like BucketKeys does: {@code {client}:policy}. */
    static Bucket bucket(String policy, String client, Rate rate) {
        return new Bucket(policy, "{" + client + "}:" + policy, client, rate, false);
    }

    static Rate perHour(long limit) {
        return new Rate(limit, Duration.ofHours(1), limit);
    }

    static Verdict acquire(RedisRateLimitStore s, Bucket... buckets) {
        try {
            return s.acquire(List.of(buckets)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** {@code threads} threads each firing {@code perThread} acquires at once on the stores, round robin; the admitted count. */
    static int hammer(List<RedisRateLimitStore> stores, Bucket bucket, int threads, int perThread) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            RedisRateLimitStore s = stores.get(t % stores.size());
            CompletableFuture<Integer> done = new CompletableFuture<>();
            results.add(done);
            Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    List<CompletableFuture<Verdict>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) mine.add(s.acquire(List.of(bucket)).toCompletableFuture());
                    int allowed = 0;
                    for (CompletableFuture<Verdict> f : mine) if (f.get(10, TimeUnit.SECONDS).allowed()) allowed++;
                    done.complete(allowed);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
        }
        go.countDown();
        int allowed = 0;
        for (CompletableFuture<Integer> r : results) allowed += r.get(30, TimeUnit.SECONDS);
        return allowed;
    }

    @Test
    void concurrentRequestsGetExactlyTheLimit() throws Exception {
        try (RedisRateLimitStore s = store(prefix())) {
            assertThat(hammer(List.of(s), bucket("per-client", "acme", perHour(50)), 8, 40)).isEqualTo(50);
            assertThat(s.breaker().failures()).isZero();
        }
    }

    @Test
    void twoGatewaysSharingOneRedisEnforceOneLimit() throws Exception {
        String prefix = prefix();
        try (RedisRateLimitStore a = store(prefix); RedisRateLimitStore b = store(prefix)) {
            assertThat(hammer(List.of(a, b), bucket("per-client", "acme", perHour(70)), 8, 40)).isEqualTo(70);
            // and each saw the other's charges
            assertThat(acquire(a, bucket("per-client", "acme", perHour(70))).allowed()).isFalse();
            assertThat(acquire(b, bucket("per-client", "acme", perHour(70))).allowed()).isFalse();
        }
    }

    /** Every answer equals Gcra's on the Redis clock the store reports: the script mirrors Gcra exactly. */
    @Test
    void everyStateIsGcrasOnRedisTime() throws Exception {
        try (RedisRateLimitStore s = store(prefix())) {
            Bucket b = bucket("p", "mirror", FIVE_PER_500MS);
            long tat = 0;
            for (int i = 0; i < 30; i++) {
                Verdict v = acquire(s, b);
                long now = v.nowMicros();
                long newTat = Gcra.charge(Math.max(tat, now), now, b.rate());
                BucketState expected;
                if (Gcra.fits(newTat, now, b.rate())) {
                    expected = Gcra.admitted(newTat, now, b.rate());
                    tat = newTat;
                } else {
                    expected = Gcra.refused(Math.max(tat, now), now, b.rate());
                }
                assertThat(v.states()).as("request %d", i).containsExactly(expected);
                assertThat(v.allowed()).isEqualTo(expected.allowed());
                if (i % 7 == 6) Thread.sleep(60); // creates the pacing: Redis time moves between bursts
            }
            assertThat(Math.abs(acquire(s, b).nowMicros() / 1000 - System.currentTimeMillis())).isLessThan(1000);
        }
    }

    @Test
    void aFullWindowLaterTheWholeBurstIsBackAndTheKeyIsGone() throws Exception {
        String prefix = prefix();
        try (RedisRateLimitStore s = store(prefix)) {
            Bucket b = bucket("p", "reset", FIVE_PER_500MS);
            int allowed = 0;
            Verdict last;
            do {
                last = acquire(s, b);
                if (last.allowed()) allowed++;
            } while (last.allowed() && allowed < 100);
            assertThat(allowed).isBetween(5, 20);
            assertThat(last.states().get(0).retryAfterMicros()).isBetween(1L, 100_000L);
            assertThat(last.states().get(0).resetAfterMicros()).isBetween(400_000L, 500_000L);

            String key = prefix + b.key();
            long pttl = Long.parseLong(redis.command("PTTL", key).substring(1));
            assertThat(pttl).isBetween(1L, 500 + GcraScript.EXPIRY_MARGIN_MILLIS);
            await().atMost(Duration.ofSeconds(3)).until(() -> redis.command("EXISTS", key).equals(":0"));
            for (int i = 0; i < 5; i++) assertThat(acquire(s, b).allowed()).as("request %d after the reset", i).isTrue();
        }
    }

    @Test
    void anExhaustedBucketRefillsOneRequestPerInterval() throws Exception {
        try (RedisRateLimitStore s = store(prefix())) {
            Bucket b = bucket("p", "refill", FIVE_PER_500MS);
            Verdict v;
            do v = acquire(s, b); while (v.allowed());
            long start = v.nowMicros();
            Thread.sleep(v.states().get(0).retryAfterMicros() / 1000 + 2); // creates the condition: Retry-After has passed
            assertThat(acquire(s, b).allowed()).as("admitted after Retry-After").isTrue();
            // hammer for a second: what gets through is what refilled, one per 100 ms of Redis time
            int allowed = 1;
            long end = start;
            long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < until) {
                v = acquire(s, b);
                end = v.nowMicros();
                if (v.allowed()) allowed++;
                Thread.sleep(5); // creates the pacing of the hammering
            }
            long refilled = (end - start) / FIVE_PER_500MS.intervalMicros();
            assertThat((long) allowed).isBetween(refilled - 1, refilled + 1);
            assertThat(allowed).isBetween(8, 12);
        }
    }

    @Test
    void severalBucketsAreChargedAllOrNothing() throws Exception {
        String prefix = prefix();
        try (RedisRateLimitStore s = store(prefix)) {
            Bucket burst = bucket("burst", "acme", perHour(2));
            Bucket quota = bucket("quota", "acme", perHour(5));
            assertThat(acquire(s, burst, quota).allowed()).isTrue();
            Verdict second = acquire(s, burst, quota);
            assertThat(second.allowed()).isTrue();
            assertThat(second.states()).extracting(BucketState::remaining).containsExactly(0L, 3L);
            String quotaTat = redis.command("GET", prefix + quota.key());

            Verdict third = acquire(s, burst, quota);
            assertThat(third.allowed()).isFalse();
            assertThat(third.states().get(0).allowed()).isFalse();
            assertThat(third.states().get(0).retryAfterMicros()).isPositive();
            assertThat(third.states().get(1)).extracting(BucketState::allowed, BucketState::remaining, BucketState::retryAfterMicros)
                    .containsExactly(true, 3L, 0L);
            assertThat(redis.command("GET", prefix + quota.key())).as("the quota was not charged").isEqualTo(quotaTat);
            for (long left = 2; left >= 0; left--) {
                Verdict v = acquire(s, quota);
                assertThat(v.allowed()).isTrue();
                assertThat(v.states().get(0).remaining()).isEqualTo(left);
            }
            assertThat(acquire(s, quota).allowed()).isFalse();
        }
    }

    @Test
    void keysCarryThePrefixAndTheHashTagAndExpire() throws Exception {
        String prefix = prefix();
        try (RedisRateLimitStore s = store(prefix)) {
            acquire(s, bucket("per-route", "k.key_abc", perHour(10)));
            assertThat(redis.command("KEYS", prefix + "*")).isEqualTo("*1\n" + prefix + "{k.key_abc}:per-route");
            long pttl = Long.parseLong(redis.command("PTTL", prefix + "{k.key_abc}:per-route").substring(1));
            // one request in a 10/hour bucket: full again after 6 minutes
            assertThat(pttl).isBetween(Duration.ofMinutes(6).toMillis() - 5_000, Duration.ofMinutes(6).toMillis() + 10);
        }
        assertThatThrownBy(() -> new RedisRateLimitStore(config(redis.uri(), false, "rl:{x}:", TIMEOUT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash tags");
    }

    @Test
    void aFlushedScriptIsSentAgain() throws Exception {
        String prefix = prefix();
        try (RedisRateLimitStore s = store(prefix)) {
            Bucket b = bucket("p", "flush", perHour(10));
            assertThat(acquire(s, b).states().get(0).remaining()).isEqualTo(9);
            long reloads = s.scriptReloads();
            assertThat(redis.command("SCRIPT", "EXISTS", GcraScript.SHA)).isEqualTo("*1\n:1");
            assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("+OK");
            assertThat(acquire(s, b).states().get(0).remaining()).isEqualTo(8);
            assertThat(s.scriptReloads()).isEqualTo(reloads + 1);
            await().atMost(Duration.ofSeconds(2)).until(() -> redis.command("SCRIPT", "EXISTS", GcraScript.SHA).equals("*1\n:1"));
            assertThat(acquire(s, b).states().get(0).remaining()).isEqualTo(7);
            assertThat(s.scriptReloads()).isEqualTo(reloads + 1);
            assertThat(s.breaker().failures()).isZero();
        }
    }

    @Test
    void aStoppedRedisFailsFastOnceTheBreakerOpensAndServiceReturnsWhenItIsBack() throws Exception {
        try (RedisServer own = RedisServer.start();
                RedisRateLimitStore s = new RedisRateLimitStore(config(own.uri(), false, "rl:", Duration.ofMillis(300)))) {
            Bucket b = bucket("p", "outage", perHour(100));
            assertThat(acquire(s, b).allowed()).isTrue();
            assertThat(s.healthy()).isTrue();
            own.stop();
            try {
                for (int i = 0; i < RedisBreaker.DEFAULT_FAILURE_THRESHOLD; i++) {
                    assertThat(s.acquire(List.of(b)).toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                            .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(RateLimitStoreException.class);
                }
                assertThat(s.breaker().state()).isEqualTo(RedisBreaker.State.OPEN);
                assertThat(s.healthy()).isFalse();
                long calls = s.breaker().calls();
                long t0 = System.nanoTime();
                CompletableFuture<Verdict> f = s.acquire(List.of(b)).toCompletableFuture();
                assertThat(f).isCompletedExceptionally();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(30));
                assertThatThrownBy(f::join).hasCauseInstanceOf(RateLimitStoreException.class)
                        .cause().hasMessage("Redis at 127.0.0.1:" + own.port() + ": circuit breaker open");
                assertThat(s.breaker().calls()).as("no call went to Redis").isEqualTo(calls);
                assertThat(s.breaker().rejected()).isPositive();
            } finally {
                own.restart();
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try {
                    return s.acquire(List.of(b)).toCompletableFuture().get(5, TimeUnit.SECONDS).allowed();
                } catch (ExecutionException e) {
                    return false;
                }
            });
            assertThat(s.breaker().state()).isEqualTo(RedisBreaker.State.CLOSED);
            assertThat(s.healthy()).isTrue();
            assertThat(s.breaker().opens()).isPositive();
            assertThat(acquire(s, b).allowed()).isTrue();
        }
    }

    @Test
    void anUnreachableRedisIsAStoreErrorThatNeverShowsThePassword() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (RedisRateLimitStore s = new RedisRateLimitStore(config("redis://:s3cr3t-pw@127.0.0.1:" + port, false, "rl:", TIMEOUT))) {
            assertThat(s.describe()).isEqualTo("Redis at 127.0.0.1:" + port);
            assertThat(s.acquire(List.of(bucket("p", "c", perHour(1)))).toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(RateLimitStoreException.class)
                    .withMessageStartingWith("Redis at 127.0.0.1:" + port + " failed: ")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
            assertThat(s.breaker().failures()).isEqualTo(1);
        }
        assertThatThrownBy(() -> new RedisRateLimitStore(config("redis://:pw@host:port", false, "rl:", TIMEOUT)))
                .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("pw");
    }

    @Test
    void aHangingRedisFailsWithinTheTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(200);
        try (RedisServer own = RedisServer.start();
                RedisRateLimitStore s = new RedisRateLimitStore(config(own.uri(), false, "rl:", timeout))) {
            Bucket b = bucket("p", "hang", perHour(100));
            assertThat(acquire(s, b).allowed()).isTrue();
            own.pause();
            try {
                for (int i = 0; i < RedisBreaker.DEFAULT_FAILURE_THRESHOLD; i++) {
                    long t0 = System.nanoTime();
                    assertThat(s.acquire(List.of(b)).toCompletableFuture()).failsWithin(Duration.ofSeconds(5))
                            .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(RateLimitStoreException.class)
                            .withMessageContaining("did not answer within 200 ms");
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(timeout, timeout.plusMillis(400));
                }
                assertThat(s.breaker().state()).isEqualTo(RedisBreaker.State.OPEN);
                long t0 = System.nanoTime();
                assertThat(s.acquire(List.of(b)).toCompletableFuture()).isCompletedExceptionally();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(30));
            } finally {
                own.resume();
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                try {
                    return s.acquire(List.of(b)).toCompletableFuture().get(5, TimeUnit.SECONDS).allowed();
                } catch (ExecutionException e) {
                    return false;
                }
            });
            assertThat(s.breaker().state()).isEqualTo(RedisBreaker.State.CLOSED);
        }
    }
}
