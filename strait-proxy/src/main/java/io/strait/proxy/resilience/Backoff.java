package io.strait.proxy.resilience;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** STUB (replaced by the resilience branch). */
public final class Backoff {
    private Backoff() {}

    public static long delayNanos(int retry, Duration base, Duration max, RandomGenerator rnd) {
        long cap = Math.min(max.toNanos(), base.toNanos() << Math.min(retry - 1, 20));
        return cap <= 0 ? 0 : rnd.nextLong(cap + 1);
    }
}
