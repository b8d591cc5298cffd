package io.strait.gateway.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A circuit breaker around Redis calls, so a dead or hanging Redis costs no latency:
 * <pre>
 *   CLOSED    --{@code threshold} failures in a row--&gt;  OPEN      (every call refused at once)
 *   OPEN      --{@code coolDown} passed, next call--&gt;   HALF_OPEN (that one call is the probe; others refused)
 *   HALF_OPEN --a success--&gt;                            CLOSED
 *   HALF_OPEN --a failure--&gt;                            OPEN      (for another cool-down)
 * </pre>
 * Callers ask {@link #tryAcquire()} before a call and report every admitted call's outcome with
 * {@link #onSuccess()} or {@link #onFailure()} (a call must end, with a reply or a timeout). An outcome
 * reported while OPEN belongs to a call started before the breaker opened and changes nothing; in
 * HALF_OPEN any outcome decides, since it is equally fresh news about Redis. A probe whose outcome is
 * never reported does not wedge the breaker: after another cool-down the next call probes again.
 *
 * <p>Lock-free; while CLOSED and healthy a call reads one reference and bumps one counter.
 */
public final class RedisBreaker {
    /** Three failures in a row: one lost packet or one slow reply is noise, three in a row is an outage. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    /** One probe a second: a returning Redis serves again within about a second, a dead one costs one call a second. */
    public static final Duration DEFAULT_COOL_DOWN = Duration.ofSeconds(1);

    /** Where the breaker is. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** @param since when OPEN: when it opened; when HALF_OPEN: when the probe went out */
    private record Snapshot(State state, int failures, long since) {}

    private static final Snapshot HEALTHY = new Snapshot(State.CLOSED, 0, 0);

    private final int threshold;
    private final long coolDownNanos;
    private final LongSupplier nanoClock;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(HEALTHY);
    private final LongAdder calls = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder opens = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    public RedisBreaker() {
        this(DEFAULT_FAILURE_THRESHOLD, DEFAULT_COOL_DOWN, System::nanoTime);
    }

    /**
     * @param threshold consecutive failures that open the breaker
     * @param coolDown how long it stays open before one probe call is let through
     * @param nanoClock {@link System#nanoTime()}; tests pass their own
     */
    public RedisBreaker(int threshold, Duration coolDown, LongSupplier nanoClock) {
        if (threshold < 1) throw new IllegalArgumentException("threshold must be >= 1");
        this.threshold = threshold;
        this.coolDownNanos = coolDown.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Whether a call may go to Redis now; false (counted as rejected) while open. */
    public boolean tryAcquire() {
        while (true) {
            Snapshot s = snapshot.get();
            if (s.state == State.CLOSED) {
                calls.increment();
                return true;
            }
            long now = nanoClock.getAsLong();
            if (now - s.since < coolDownNanos) {
                rejected.increment();
                return false;
            }
            // OPEN long enough, or a HALF_OPEN probe that never reported: this call is the (new) probe
            if (snapshot.compareAndSet(s, new Snapshot(State.HALF_OPEN, s.failures, now))) {
                calls.increment();
                return true;
            }
        }
    }

    /** An admitted call got its reply. */
    public void onSuccess() {
        while (true) {
            Snapshot s = snapshot.get();
            if (s == HEALTHY || s.state == State.OPEN) return;
            if (snapshot.compareAndSet(s, HEALTHY)) return;
        }
    }

    /** An admitted call failed or timed out. */
    public void onFailure() {
        failures.increment();
        while (true) {
            Snapshot s = snapshot.get();
            if (s.state == State.OPEN) return;
            boolean open = s.state == State.HALF_OPEN || s.failures + 1 >= threshold;
            Snapshot next = open ? new Snapshot(State.OPEN, s.failures + 1, nanoClock.getAsLong())
                    : new Snapshot(State.CLOSED, s.failures + 1, 0);
            if (snapshot.compareAndSet(s, next)) {
                if (open) opens.increment();
                return;
            }
        }
    }

    /** The state as of now (OPEN past its cool-down reads OPEN until a call probes). */
    public State state() {
        return snapshot.get().state;
    }

    /** Calls let through to Redis. */
    public long calls() {
        return calls.sum();
    }

    /** Admitted calls that failed or timed out. */
    public long failures() {
        return failures.sum();
    }

    /** Times the breaker went to OPEN. */
    public long opens() {
        return opens.sum();
    }

    /** Calls refused at once because the breaker was open. */
    public long rejected() {
        return rejected.sum();
    }
}
