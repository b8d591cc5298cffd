package io.strait.gateway.ratelimit.hybrid;

import io.strait.gateway.ratelimit.Gcra;
import io.strait.gateway.ratelimit.Rate;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One key's state in one gateway: the TAT as this gateway believes it (its own clock, microseconds) and the
 * requests it admitted. The hot path only touches {@link #tat} and {@link #admitted}; the fields below them
 * belong to the sync thread.
 */
final class LocalBucket {
    /** A TAT no real bucket has: the sync thread dropped this bucket from the map; callers look the key up again. */
    static final long RETIRED = Long.MIN_VALUE;

    enum Charge { ADMITTED, REFUSED, RETIRED }

    final String key;
    final String slot;
    /** The rate the bucket was created with: what the sync thread charges per request in Redis. */
    final Rate rate;
    final AtomicLong tat = new AtomicLong();
    /**
     * Net requests admitted here since the bucket was created (refunds subtract). Incremented before the TAT
     * is charged, so whenever the sync thread sees a charge in the TAT it also sees it here; the reverse race
     * can only count a request twice in this gateway's own TAT (never miss one).
     */
    final LongAdder admitted = new LongAdder();

    // sync thread only
    /** {@link #admitted} up to which Redis was told (never decreases, so a refund after a push is not pushed again). */
    long pushed;
    /** {@link #admitted} when the current round took its snapshot. */
    long batch;
    /** {@link #tat} read just after {@link #batch} (so it covers every request counted in it). */
    long batchTat;
    /** Whether Redis answered for this key at least once (until then the key is pushed even with nothing pending). */
    boolean synced;

    LocalBucket(String key, String slot, Rate rate) {
        this.key = key;
        this.slot = slot;
        this.rate = rate;
    }

    /**
     * Charges one request at {@code now}: on {@link Charge#ADMITTED} {@code out[i]} is the new TAT, on
     * {@link Charge#REFUSED} the TAT that refused it.
     */
    Charge charge(long now, Rate rate, long[] out, int i) {
        admitted.increment();
        for (;;) {
            long t = tat.get();
            if (t == RETIRED) {
                admitted.decrement();
                return Charge.RETIRED;
            }
            long next = Gcra.charge(t, now, rate);
            if (!Gcra.fits(next, now, rate)) {
                admitted.decrement();
                out[i] = t;
                return Charge.REFUSED;
            }
            if (tat.compareAndSet(t, next)) {
                out[i] = next;
                return Charge.ADMITTED;
            }
        }
    }

    /** Gives back a request charged by {@link #charge} (another bucket refused it). */
    void refund(Rate rate) {
        for (;;) {
            long t = tat.get();
            if (t == RETIRED || tat.compareAndSet(t, t - rate.intervalMicros())) break;
        }
        admitted.decrement();
    }

    /**
     * Sync thread: drops the bucket when it is full (TAT at or before now) and Redis knows everything it
     * admitted; a request racing with this either lands first (the CAS fails) or sees {@link #RETIRED}.
     */
    boolean retireIfIdle(long now) {
        long t = tat.get();
        return synced && t <= now && t != RETIRED && admitted.sum() <= pushed && tat.compareAndSet(t, RETIRED);
    }

    /**
     * Sync thread, after Redis answered {@code globalTat} (on this gateway's clock) for the snapshot
     * {@link #batch}: the TAT becomes the global one plus what this gateway admitted since the snapshot.
     */
    void applyGlobal(long globalTat, long now) {
        for (;;) {
            long t = tat.get();
            if (t == RETIRED) return;
            long since = admitted.sum() - batch;
            if (tat.compareAndSet(t, Math.max(globalTat, now) + since * rate.intervalMicros())) return;
        }
    }
}
