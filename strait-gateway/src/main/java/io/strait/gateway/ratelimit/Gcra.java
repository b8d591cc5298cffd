package io.strait.gateway.ratelimit;

/**
 * The generic cell rate algorithm, on one number per bucket: its theoretical arrival time (TAT), the
 * time at which the bucket would be full again. A request at {@code now} moves TAT to
 * {@code max(TAT, now) + T}; it is admitted when that is at most {@code burst * T} ahead of now.
 *
 * <p>Chosen over a token bucket because the whole state is one timestamp: one compare-and-set in
 * process, one key in Redis, no refill timer; and over fixed windows because it has no boundary where
 * twice the limit gets through. The Redis script and the hybrid store do the same arithmetic in Lua.
 */
public final class Gcra {
    private Gcra() {}

    /** The TAT after admitting one request at {@code now} (admitted only if {@link #fits}). */
    public static long charge(long tat, long now, Rate rate) {
        return Math.max(tat, now) + rate.intervalMicros();
    }

    /** Whether a bucket whose TAT would become {@code newTat} may admit the request at {@code now}. */
    public static boolean fits(long newTat, long now, Rate rate) {
        return newTat - now <= rate.toleranceMicros();
    }

    /** The state after admitting a request that moved TAT to {@code newTat}. */
    public static BucketState admitted(long newTat, long now, Rate rate) {
        long ahead = newTat - now;
        return new BucketState(true, (rate.toleranceMicros() - ahead) / rate.intervalMicros(), ahead, 0);
    }

    /** The state of a bucket (TAT {@code tat}) that refused a request at {@code now}. */
    public static BucketState refused(long tat, long now, Rate rate) {
        long ahead = Math.max(tat, now) - now;
        long retry = Math.max(1, ahead + rate.intervalMicros() - rate.toleranceMicros());
        return new BucketState(false, Math.max(0, (rate.toleranceMicros() - ahead) / rate.intervalMicros()), ahead, retry);
    }

    /** The state of a bucket that was not charged because another bucket refused the request. */
    public static BucketState untouched(long tat, long now, Rate rate) {
        long ahead = Math.max(tat, now) - now;
        long remaining = Math.max(0, (rate.toleranceMicros() - ahead) / rate.intervalMicros());
        return new BucketState(remaining > 0, remaining, ahead, 0);
    }
}
