package io.strait.proxy.resilience;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (as AWS's architecture blog and Envoy do): retry {@code n}
 * waits a uniformly random time in {@code [0, min(max, base * 2^(n-1))]}, so that clients failing
 * together do not retry together.
 */
public final class Backoff {
    private Backoff() {}

    /**
     * The delay before retry {@code retry} (1 for the first retry), in nanoseconds. Never negative,
     * never above {@code max}, and safe against overflow for any {@code retry}.
     */
    public static long delayNanos(int retry, Duration base, Duration max, RandomGenerator rnd) {
        long cap = ceiling(retry, base, max);
        if (cap <= 0) return 0;
        return cap == Long.MAX_VALUE ? rnd.nextLong(cap) : rnd.nextLong(cap + 1);
    }

    /** {@code min(max, base * 2^(retry-1))} in nanoseconds, saturating instead of overflowing. */
    static long ceiling(int retry, Duration base, Duration max) {
        long b = saturatedNanos(base);
        long m = saturatedNanos(max);
        if (b <= 0 || m <= 0) return 0;
        int shift = Math.max(0, retry - 1);
        // b << shift stays positive while the top bit of b stays below the sign bit
        long grown = shift >= Long.numberOfLeadingZeros(b) ? Long.MAX_VALUE : b << shift;
        return Math.min(m, grown);
    }

    private static long saturatedNanos(Duration d) {
        if (d == null || d.isNegative()) return 0;
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
