package io.strait.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration BASE = Duration.ofMillis(25);
    private static final Duration MAX = Duration.ofMillis(250);

    @Test
    void ceilingDoublesPerRetryUpToTheCap() {
        assertThat(Backoff.ceiling(1, BASE, MAX)).isEqualTo(Duration.ofMillis(25).toNanos());
        assertThat(Backoff.ceiling(2, BASE, MAX)).isEqualTo(Duration.ofMillis(50).toNanos());
        assertThat(Backoff.ceiling(3, BASE, MAX)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(Backoff.ceiling(4, BASE, MAX)).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(Backoff.ceiling(5, BASE, MAX)).isEqualTo(MAX.toNanos());
        assertThat(Backoff.ceiling(100, BASE, MAX)).isEqualTo(MAX.toNanos());
    }

    @Test
    void hugeRetryCountsAndDurationsDoNotOverflow() {
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
        for (int retry : new int[] {1, 30, 62, 63, 64, 65, 1000, Integer.MAX_VALUE}) {
            assertThat(Backoff.ceiling(retry, BASE, huge)).isPositive();
            assertThat(Backoff.delayNanos(retry, BASE, huge, new SplittableRandom(1))).isNotNegative();
            assertThat(Backoff.delayNanos(retry, huge, huge, new SplittableRandom(1))).isNotNegative();
            assertThat(Backoff.delayNanos(retry, BASE, MAX, new SplittableRandom(1))).isBetween(0L, MAX.toNanos());
        }
        assertThat(Backoff.ceiling(64, BASE, huge)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void zeroOrMissingDurationsMeanNoDelay() {
        assertThat(Backoff.delayNanos(3, Duration.ZERO, MAX, new SplittableRandom(1))).isZero();
        assertThat(Backoff.delayNanos(3, BASE, Duration.ZERO, new SplittableRandom(1))).isZero();
        assertThat(Backoff.delayNanos(3, null, MAX, new SplittableRandom(1))).isZero();
    }

    @Test
    void delaysStayWithinZeroAndTheCeiling() {
        RandomGenerator rnd = new SplittableRandom(42);
        for (int retry = 1; retry <= 8; retry++) {
            long ceiling = Backoff.ceiling(retry, BASE, MAX);
            for (int i = 0; i < 2000; i++) {
                assertThat(Backoff.delayNanos(retry, BASE, MAX, rnd)).isBetween(0L, ceiling);
            }
        }
    }

    @Test
    void bothEndsOfTheRangeAreReachable() {
        // a generator that answers its extremes shows the range is inclusive [0, ceiling]
        RandomGenerator low = new RandomGenerator() {
            @Override public long nextLong() { return 0; }
            @Override public long nextLong(long bound) { return 0; }
        };
        RandomGenerator high = new RandomGenerator() {
            @Override public long nextLong() { return Long.MAX_VALUE; }
            @Override public long nextLong(long bound) { return bound - 1; }
        };
        assertThat(Backoff.delayNanos(2, BASE, MAX, low)).isZero();
        assertThat(Backoff.delayNanos(2, BASE, MAX, high)).isEqualTo(Duration.ofMillis(50).toNanos());
    }

    @Test
    void jitterSpreadsDelaysOverTheWholeRange() {
        RandomGenerator rnd = new SplittableRandom(7);
        long ceiling = Backoff.ceiling(3, BASE, MAX);
        int[] quarters = new int[4];
        double sum = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            long d = Backoff.delayNanos(3, BASE, MAX, rnd);
            sum += d;
            quarters[(int) Math.min(3, d * 4 / (ceiling + 1))]++;
        }
        // uniform: each quarter holds about a quarter, the mean is about half the ceiling
        for (int q : quarters) assertThat(q).isBetween(n / 4 - n / 20, n / 4 + n / 20);
        assertThat(sum / n).isBetween(ceiling * 0.45, ceiling * 0.55);
    }

    @Test
    void laterRetriesWaitLongerOnAverage() {
        RandomGenerator rnd = new SplittableRandom(3);
        double previous = 0;
        for (int retry = 1; retry <= 4; retry++) {
            double sum = 0;
            for (int i = 0; i < 5000; i++) sum += Backoff.delayNanos(retry, BASE, MAX, rnd);
            double mean = sum / 5000;
            assertThat(mean).isGreaterThan(previous * 1.6);
            previous = mean;
        }
    }
}
