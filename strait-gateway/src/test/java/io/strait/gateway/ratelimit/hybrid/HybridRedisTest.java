package io.strait.gateway.ratelimit.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.config.model.RateLimitsConfig;
import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.MicroClock;
import io.strait.gateway.ratelimit.Rate;
import io.strait.proxy.testing.RedisExtension;
import io.strait.proxy.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hybrid stores against a real redis-server: one gateway, two gateways sharing a limit, keys in Redis. */
class HybridRedisTest {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    /** One redis-server for the class; tests keep apart by key prefix, so nothing is flushed between them. */
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension().keepData();

    static RateLimitsConfig.Store config(String uri, String prefix, Duration syncInterval, int maxBuckets) {
        // a generous timeout: a loaded test machine must not turn slow replies into failed rounds
        return new RateLimitsConfig.Store(RateLimitsConfig.StoreType.HYBRID, uri, false, Duration.ofMillis(500),
                syncInterval, prefix, maxBuckets);
    }

    private static String prefix() {
        return "t" + PREFIXES.incrementAndGet() + ":rl:";
    }

    private static Bucket bucket(String client, Rate rate) {
        return new Bucket("p", "{" + client + "}:p", client, rate, true);
    }

    static long redisNowMicros(RedisServer r) throws Exception {
        String[] t = r.command("TIME").split("\n");
        return Long.parseLong(t[1]) * 1_000_000 + Long.parseLong(t[2]);
    }

    @Test
    void oneGatewayAdmitsTheBurstThenRefillsAtTheRate() throws Exception {
        Rate rate = new Rate(20, Duration.ofSeconds(1), 10); // T = 50 ms
        Bucket b = bucket("solo", rate);
        String prefix = prefix();
        try (HybridRateLimitStore s = HybridRateLimitStore.connect(config(redis.uri(), prefix, Duration.ofMillis(100), 1000))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> s.syncs() >= 1);
            long start = System.nanoTime();
            int burst = 0;
            for (int i = 0; i < 15; i++) if (s.acquireNow(List.of(b)).allowed()) burst++;
            assertThat(burst).isEqualTo(10);

            int refilled = 0;
            long end = start + 1_500_000_000L;
            while (System.nanoTime() < end) {
                if (s.acquireNow(List.of(b)).allowed()) refilled++;
                LockSupport.parkNanos(1_000_000);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("one gateway: burst %d, then %d in %.3f s (rate 20/s), %d syncs%n", burst, refilled, seconds, s.syncs());
            // refills at 20/s: 1.5 s gives 30, give or take the poll and the clock alignment
            assertThat(refilled).isBetween((int) (20 * 1.5) - 2, (int) (20 * seconds) + 1);
            assertThat(s.syncs()).isGreaterThanOrEqualTo(5);

            // Redis knows: its TAT for the key is the local one
            await().atMost(Duration.ofSeconds(2)).until(() -> !"(nil)".equals(redis.command("GET", prefix + "{solo}:p")));
            long ahead = Long.parseLong(redis.command("GET", prefix + "{solo}:p")) - redisNowMicros(redis.server());
            assertThat(ahead).isBetween(0L, rate.toleranceMicros() + 10_000); // plus the push's one-way delay
        }
    }

    /** How G gateways did when hammered together. */
    record Hammered(long admitted, double outerSeconds, double innerSeconds) {}

    static Hammered hammer(List<HybridRateLimitStore> stores, int threadsPerStore, Bucket b, Duration d) throws Exception {
        LongAdder admitted = new LongAdder();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<long[]> spans = new CopyOnWriteArrayList<>();
        for (HybridRateLimitStore s : stores) {
            for (int i = 0; i < threadsPerStore; i++) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long first = System.nanoTime();
                    long end = first + d.toNanos();
                    while (System.nanoTime() < end) {
                        if (s.acquireNow(List.of(b)).allowed()) admitted.increment();
                        LockSupport.parkNanos(20_000); // overload without starving the sync threads of CPU
                    }
                    spans.add(new long[] {first, System.nanoTime()});
                });
                t.start();
                threads.add(t);
            }
        }
        go.countDown();
        for (Thread t : threads) t.join();
        long firstStart = spans.stream().mapToLong(x -> x[0]).min().orElseThrow();
        long lastStart = spans.stream().mapToLong(x -> x[0]).max().orElseThrow();
        long firstEnd = spans.stream().mapToLong(x -> x[1]).min().orElseThrow();
        long lastEnd = spans.stream().mapToLong(x -> x[1]).max().orElseThrow();
        return new Hammered(admitted.sum(), (lastEnd - firstStart) / 1e9, (firstEnd - lastStart) / 1e9);
    }

    /** The documented bound: b + r·D + (G − 1)·(b + 2·r·S). */
    static double bound(Rate rate, int gateways, double seconds, double syncSpanSeconds) {
        double r = rate.limit() / (rate.window().toNanos() / 1e9);
        return rate.burst() + r * seconds + (gateways - 1) * (rate.burst() + 2 * r * syncSpanSeconds);
    }

    static double exact(Rate rate, double seconds) {
        return rate.burst() + rate.limit() / (rate.window().toNanos() / 1e9) * seconds;
    }

    static double maxSpanSeconds(List<HybridRateLimitStore> stores) {
        return stores.stream().mapToLong(HybridRateLimitStore::maxSyncSpanMicros).max().orElseThrow() / 1e6;
    }

    @Test
    void twoGatewaysSharingRedisAdmitBetweenTheExactAllowanceAndTheBound() throws Exception {
        Rate rate = new Rate(100, Duration.ofSeconds(1), 30); // T = 10 ms
        Bucket b = bucket("shared", rate);
        String prefix = prefix();
        RateLimitsConfig.Store cfg = config(redis.uri(), prefix, Duration.ofMillis(100), 1000);
        try (HybridRateLimitStore one = HybridRateLimitStore.connect(cfg); HybridRateLimitStore two = HybridRateLimitStore.connect(cfg)) {
            List<HybridRateLimitStore> stores = List.of(one, two);
            await().atMost(Duration.ofSeconds(5)).until(() -> one.syncs() >= 1 && two.syncs() >= 1);
            Hammered h = hammer(stores, 2, b, Duration.ofMillis(2500));
            double s = maxSpanSeconds(stores);
            double exactOuter = exact(rate, h.outerSeconds());
            double upper = bound(rate, 2, h.outerSeconds(), s);
            // lower: the exact allowance over the time every thread was asking, less a request at each edge of
            // the period (with demand at every moment the shared bucket never idles; the local views only err
            // late, which delays admissions that the next sync gives back)
            double lower = exact(rate, h.innerSeconds()) - 2;
            System.out.printf("two gateways: admitted %d in %.3f s; exact allowance %.1f (%.1f while all asked);"
                    + " documented bound %.1f (S = %.1f ms); syncs %d + %d, failures %d + %d%n",
                    h.admitted(), h.outerSeconds(), exactOuter, exact(rate, h.innerSeconds()), upper, s * 1000,
                    one.syncs(), two.syncs(), one.syncFailures(), two.syncFailures());
            assertThat((double) h.admitted()).isBetween(lower, upper);
        }
    }

    @Test
    void sustainedOverloadConvergesToTheLimit() throws Exception {
        // a long sync interval makes each gateway's blind spot large: without recorded debt two gateways
        // would run at up to twice the limit; with it, the long-run rate is the limit
        Rate rate = new Rate(100, Duration.ofSeconds(1), 10);
        Bucket b = bucket("overload", rate);
        String prefix = prefix();
        RateLimitsConfig.Store cfg = config(redis.uri(), prefix, Duration.ofMillis(250), 1000);
        try (HybridRateLimitStore one = HybridRateLimitStore.connect(cfg); HybridRateLimitStore two = HybridRateLimitStore.connect(cfg)) {
            List<HybridRateLimitStore> stores = List.of(one, two);
            await().atMost(Duration.ofSeconds(5)).until(() -> one.syncs() >= 1 && two.syncs() >= 1);
            Hammered warm = hammer(stores, 1, b, Duration.ofMillis(1000));
            Hammered late = hammer(stores, 1, b, Duration.ofMillis(3000));
            double s = maxSpanSeconds(stores);
            double r = 100;
            double rateLate = late.admitted() / late.outerSeconds();
            // over the late period the debt carried in from the warm-up and the one left at its end are both
            // bounded by (G − 1)·(b + 2·r·S): the rate error shrinks as the period grows
            double slack = rate.burst() + 2 * r * s;
            System.out.printf("overload: warm-up %d in %.3f s; then %d in %.3f s = %.1f/s (limit 100/s, S = %.1f ms,"
                    + " allowed ±%.1f requests)%n", warm.admitted(), warm.outerSeconds(), late.admitted(),
                    late.outerSeconds(), rateLate, s * 1000, slack);
            assertThat((double) late.admitted())
                    .isBetween(r * late.innerSeconds() - slack - 1, bound(rate, 2, late.outerSeconds(), s));
            assertThat(rateLate).as("far from twice the limit").isLessThan(1.5 * r);

            // and the debt is repaid: within the bound, and the key admits again once Redis's TAT is past
            long debt = Long.parseLong(redis.command("GET", prefix + "{overload}:p")) - redisNowMicros(redis.server());
            System.out.printf("debt left in Redis: %.1f ms (tolerance %d ms)%n", debt / 1000.0, rate.toleranceMicros() / 1000);
            assertThat(debt).isLessThanOrEqualTo(rate.toleranceMicros() + (long) (slack * rate.intervalMicros()));
            await().atMost(Duration.ofSeconds(5)).until(() -> one.acquireNow(List.of(b)).allowed());
        }
    }

    @Test
    void keysCarryThePrefixAndHashTagExpireAndAreGroupedBySlot() throws Exception {
        String prefix = prefix();
        Rate rate = new Rate(50, Duration.ofSeconds(1), 5); // T = 20 ms
        List<List<HybridSync.Push>> calls = new CopyOnWriteArrayList<>();
        LettuceHybridSync lettuce = new LettuceHybridSync(new io.strait.gateway.redis.RedisConnector(redis.uri(), false, Duration.ofSeconds(1), "test"), true);
        HybridSync recording = (pushes, keepMillis) -> {
            calls.add(pushes);
            return lettuce.sync(pushes, keepMillis);
        };
        try (HybridRateLimitStore s = new HybridRateLimitStore(recording, config(redis.uri(), prefix, Duration.ofMillis(100), 1000),
                MicroClock.SYSTEM, false)) {
            Bucket a1 = new Bucket("p", "{a}:p:x", "a", rate, true);
            Bucket a2 = new Bucket("q", "{a}:q", "a", rate, true);
            Bucket c = bucket("c", rate);
            Bucket refusing = new Bucket("z", "{d}:z", "d", new Rate(1, Duration.ofHours(1), 1), true);
            assertThat(s.acquireNow(List.of(a1, a2)).allowed()).isTrue();
            assertThat(s.acquireNow(List.of(c)).allowed()).isTrue();
            assertThat(s.acquireNow(List.of(refusing)).allowed()).isTrue();
            // charged then refunded: {e} is pushed with count 0 and must not be created
            Bucket e = bucket("e", rate);
            assertThat(s.acquireNow(List.of(e, refusing)).allowed()).isFalse();

            redis.command("SCRIPT", "FLUSH"); // NOSCRIPT: the store falls back to EVAL
            s.syncOnce();
            assertThat(s.syncFailures()).isZero();
            assertThat(calls).hasSize(4);
            for (List<HybridSync.Push> call : calls) {
                assertThat(call).extracting(p -> p.key().substring(prefix.length(), p.key().indexOf('}') + 1)).containsOnly(
                        call.getFirst().key().substring(prefix.length(), call.getFirst().key().indexOf('}') + 1));
            }
            String keys = redis.command("KEYS", prefix + "*");
            assertThat(keys.lines().skip(1).sorted().toList())
                    .containsExactly(prefix + "{a}:p:x", prefix + "{a}:q", prefix + "{c}:p", prefix + "{d}:z");
            // kept until its TAT has passed, plus ten sync intervals and the timeout (for late batches)
            long keep = 10 * 100 + 500;
            long pttl = Long.parseLong(redis.command("PTTL", prefix + "{c}:p").substring(1));
            assertThat(pttl).isBetween(keep - 100, rate.intervalMicros() / 1000 + keep + 1);
            long hourPttl = Long.parseLong(redis.command("PTTL", prefix + "{d}:z").substring(1));
            assertThat(hourPttl).isBetween(3_500_000L, 3_600_000L + keep + 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> "(nil)".equals(redis.command("GET", prefix + "{c}:p")));
        }
    }

    @Test
    void aBatchIsChargedAtTheTimesOfItsRequestsNotAtTheSync() throws Exception {
        String prefix = prefix();
        Rate rate = new Rate(100, Duration.ofSeconds(1), 5); // T = 10 ms
        Bucket b = bucket("late", rate);
        LettuceHybridSync lettuce = new LettuceHybridSync(new io.strait.gateway.redis.RedisConnector(redis.uri(), false, Duration.ofSeconds(1), "test"), true);
        try (HybridRateLimitStore s = new HybridRateLimitStore(lettuce, config(redis.uri(), prefix, Duration.ofMillis(100), 1000),
                MicroClock.SYSTEM, false)) {
            s.syncOnce();
            int first = 0;
            for (int i = 0; i < 10; i++) if (s.acquireNow(List.of(b)).allowed()) first++;
            assertThat(first).isEqualTo(5);
            Thread.sleep(80); // the bucket refills 8 of the 5 it lent before the batch reaches Redis
            s.syncOnce();
            // charged from Redis's now (max(TAT, now) + 5T) the sync would take the refilled room back
            int second = 0;
            for (int i = 0; i < 10; i++) if (s.acquireNow(List.of(b)).allowed()) second++;
            assertThat(second).isEqualTo(5);
        }
    }

    @Test
    void theLocalMapIsBoundedAndIdleKeysLeaveIt() throws Exception {
        String prefix = prefix();
        Rate rate = new Rate(50, Duration.ofSeconds(1), 1); // T = 20 ms
        try (HybridRateLimitStore s = HybridRateLimitStore.connect(config(redis.uri(), prefix, Duration.ofMillis(50), 5))) {
            int admitted = 0;
            for (int i = 0; i < 50; i++) if (s.acquireNow(List.of(bucket("k" + i, rate))).allowed()) admitted++;
            assertThat(s.localBuckets()).isLessThanOrEqualTo(6);
            // 5 own buckets, then the first request of the overflow bucket; the other 44 share it
            assertThat(admitted).isBetween(6, 6 + 2);
            await().atMost(Duration.ofSeconds(3)).until(() -> !"(nil)".equals(redis.command("GET", prefix + "{overflow}:p")));
            await().atMost(Duration.ofSeconds(3)).until(() -> s.localBuckets() == 0);
        }
    }

}
