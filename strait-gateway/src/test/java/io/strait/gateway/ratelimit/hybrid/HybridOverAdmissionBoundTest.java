package io.strait.gateway.ratelimit.hybrid;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.RateLimitsConfig;
import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.Rate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The documented over-admission bound checked against the implementation: G hybrid stores on one fake Redis,
 * simulated time (1 ms steps), sync rounds at staggered phases, skewed gateway clocks, and request patterns
 * from steady overload to short bursts after idle periods (stale views, fresh buckets). Every window
 * between two admissions must satisfy {@code n ≤ b + r·D + (G − 1)·(b + 2·r·S)}.
 */
class HybridOverAdmissionBoundTest {
    private static final int G = 3;
    private static final Rate RATE = new Rate(100, Duration.ofSeconds(1), 5); // T = 10 ms
    private static final long T = RATE.intervalMicros();
    private static final long SYNC_INTERVAL = 50_000;
    private static final long STEP = 1_000;
    private static final long WARMUP = 2 * SYNC_INTERVAL;
    private static final long DURATION = 20_000_000;
    private static final Bucket BUCKET = new Bucket("p", "{c}:p", "c", RATE, true);

    private record Result(long worstExcess, long bound, int admitted) {}

    @Test
    void randomAndAdversarialSchedulesStayWithinTheBound() {
        long worst = Long.MIN_VALUE;
        for (long seed = 1; seed <= 24; seed++) {
            Result r = simulate(seed);
            System.out.printf("seed %d: %d admitted, worst excess over the exact allowance %d, bound %d%n",
                    seed, r.admitted(), r.worstExcess(), r.bound());
            assertThat(r.worstExcess()).as("seed %d", seed).isLessThanOrEqualTo(r.bound());
            worst = Math.max(worst, r.worstExcess());
        }
        // the schedules do produce over-admission: the check above is not vacuous
        assertThat(worst).isGreaterThan(RATE.burst());
    }

    private static Result simulate(long seed) {
        Random rnd = new Random(seed);
        AtomicLong now = new AtomicLong(1_700_000_000_000_000L);
        FakeRedis redis = new FakeRedis(now::get);
        HybridRateLimitStore[] stores = new HybridRateLimitStore[G];
        long[] phase = new long[G];
        Pattern[] patterns = new Pattern[G];
        for (int g = 0; g < G; g++) {
            long skew = (rnd.nextInt(20_001) - 10_000) * (long) (g + 1);
            stores[g] = new HybridRateLimitStore(redis.client(), config(), () -> now.get() + skew, false);
            phase[g] = rnd.nextInt((int) (SYNC_INTERVAL / STEP)) * STEP;
            patterns[g] = Pattern.random(rnd, seed);
        }
        long start = now.get();
        List<Long> admitted = new ArrayList<>();
        for (long t = 0; t < DURATION; t += STEP) {
            now.set(start + t);
            int first = rnd.nextInt(G);
            for (int k = 0; k < G; k++) {
                int g = (first + k) % G;
                if ((t - phase[g]) % SYNC_INTERVAL == 0) stores[g].syncOnce();
            }
            if (t < WARMUP) continue;
            for (int k = 0; k < G; k++) {
                int g = (first + k) % G;
                int attempts = patterns[g].attempts(rnd, t);
                for (int a = 0; a < attempts; a++) {
                    if (stores[g].acquireNow(List.of(BUCKET)).allowed()) admitted.add(t);
                }
            }
        }
        long s = 0;
        for (HybridRateLimitStore st : stores) s = Math.max(s, st.maxSyncSpanMicros());
        // in units of T: (G - 1) * (b + 2S/T)
        long bound = (G - 1) * (RATE.burst() + Math.floorDiv(2 * s, T));
        long worst = Long.MIN_VALUE;
        for (int i = 0; i < admitted.size(); i++) {
            for (int j = i; j < admitted.size(); j++) {
                long n = j - i + 1;
                long exact = RATE.burst() + (admitted.get(j) - admitted.get(i)) / T;
                worst = Math.max(worst, n - exact);
            }
        }
        return new Result(worst, bound, admitted.size());
    }

    private static RateLimitsConfig.Store config() {
        return new RateLimitsConfig.Store(RateLimitsConfig.StoreType.HYBRID, null, false, Duration.ofMillis(100),
                Duration.ofNanos(SYNC_INTERVAL * 1000), "rl:", 1000);
    }

    /** On/off demand: on for up to {@code onMax}, off for up to {@code offMax}, {@code perStep} attempts when on. */
    private static final class Pattern {
        private final long onMax;
        private final long offMax;
        private final double p;
        private final int perStep;
        private long switchAt;
        private boolean on;

        private Pattern(long onMax, long offMax, double p, int perStep) {
            this.onMax = onMax;
            this.offMax = offMax;
            this.p = p;
            this.perStep = perStep;
        }

        static Pattern random(Random rnd, long seed) {
            long[] ons = {3_000, 20_000, 200_000, 2_000_000, DURATION};
            long[] offs = {10_000, 60_000, 150_000, 1_000_000};
            // the first seeds: everyone overloads all the time, the classic worst case for sync lag
            if (seed <= 2) return new Pattern(DURATION, 1, 1.0, 3);
            return new Pattern(ons[rnd.nextInt(ons.length)], offs[rnd.nextInt(offs.length)],
                    0.2 + 0.8 * rnd.nextDouble(), 1 + rnd.nextInt(3));
        }

        int attempts(Random rnd, long t) {
            if (t >= switchAt) {
                on = !on;
                switchAt = t + STEP + (long) (rnd.nextDouble() * (on ? onMax : offMax));
            }
            return on && rnd.nextDouble() < p ? perStep : 0;
        }
    }
}
