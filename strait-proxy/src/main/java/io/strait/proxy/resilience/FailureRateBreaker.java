package io.strait.proxy.resilience;

import io.strait.config.model.CircuitBreakerConfig.FailureRate;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A failure-rate circuit breaker with Resilience4j's state machine. CLOSED counts calls and failures
 * in a sliding window of one-second buckets; once the window holds at least {@code minimumCalls}
 * calls of which at least {@code thresholdPercent} failed, it turns OPEN and refuses every call for
 * {@code openFor}; then HALF_OPEN admits exactly {@code halfOpenCalls} trial calls: all succeed and
 * it closes with an empty window, the first failure opens it again.
 *
 * <p>Thread-safe. While CLOSED a call costs one volatile read to admit and one atomic add plus a
 * sum over the buckets to record, with no lock and no allocation; the lock is only taken to change
 * state and, once a second, to recycle a bucket. A result that arrives in another state than the
 * one its call was admitted in is judged by the current state (as Resilience4j does).
 */
public final class FailureRateBreaker {
    /**
     * The breaker's states, as Resilience4j names them. {@link #label()} is how every output shows one: the
     * {@code state} label of {@code strait_circuit_breaker_state} and the {@code state} of {@code GET /clusters}.
     */
    public enum State {
        CLOSED("closed"), OPEN("open"), HALF_OPEN("half_open");

        /** What {@code GET /clusters} shows for a cluster without a failure-rate breaker (no metric series). */
        public static final String DISABLED = "disabled";

        private final String label;

        State(String label) {
            this.label = label;
        }

        /** {@code closed}, {@code open} or {@code half_open}. */
        public String label() {
            return label;
        }
    }

    /** Told after every state change, outside the breaker's lock, on the thread that caused it. */
    @FunctionalInterface
    public interface Listener {
        void transition(State from, State to);
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** One call in a bucket's packed count: calls in the high 32 bits, failures in the low 32. */
    private static final long CALL = 1L << 32;
    private static final long FAILURES_MASK = 0xffff_ffffL;
    private static final State[] STATES = State.values();
    private static final java.lang.invoke.VarHandle LAST_FAILURE;

    static {
        try {
            LAST_FAILURE = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(FailureRateBreaker.class, "lastFailureSecond", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int thresholdPercent;
    private final int minimumCalls;
    private final int halfOpenCalls;
    private final long openForNanos;
    private final LongSupplier clock;
    private final long origin;
    private final Bucket[] buckets;
    private final Listener listener;
    private final Object lock = new Object();
    private final LongAdder[] transitions = new LongAdder[STATES.length * STATES.length];
    private final AtomicInteger halfOpenPermits = new AtomicInteger();
    private final AtomicInteger halfOpenSuccesses = new AtomicInteger();
    private volatile State state = State.CLOSED;
    private volatile long openedAtNanos;
    /**
     * The second of the latest recorded failure: while the window holds none, a success cannot open
     * the breaker and skips the sum over the buckets (the common case of a healthy cluster).
     */
    private volatile long lastFailureSecond = Long.MIN_VALUE;

    /** A breaker on {@link System#nanoTime()}. */
    public FailureRateBreaker(FailureRate config, Listener listener) {
        this(config, listener, System::nanoTime);
    }

    /**
     * @param listener told of each state change, may be null
     * @param clock nanoseconds, monotonic (tests pass a fake one)
     */
    public FailureRateBreaker(FailureRate config, Listener listener, LongSupplier clock) {
        Objects.requireNonNull(config, "config");
        this.thresholdPercent = config.thresholdPercent();
        this.minimumCalls = Math.max(1, config.minimumCalls());
        this.halfOpenCalls = Math.max(1, config.halfOpenCalls());
        this.openForNanos = saturatedNanos(config.openFor());
        this.listener = listener;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.origin = clock.getAsLong();
        long windowNanos = Math.max(NANOS_PER_SECOND, saturatedNanos(config.window()));
        int n = (int) Math.min(Integer.MAX_VALUE, (windowNanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
        this.buckets = new Bucket[n];
        for (int i = 0; i < n; i++) buckets[i] = new Bucket();
        for (int i = 0; i < transitions.length; i++) transitions[i] = new LongAdder();
    }

    /** Whether a call may go out now; every {@code true} must be followed by one {@link #onResult}. */
    public boolean tryAcquire() {
        while (true) {
            State s = state;
            switch (s) {
                case CLOSED:
                    return true;
                case OPEN:
                    if (clock.getAsLong() - openedAtNanos < openForNanos) return false;
                    transition(State.OPEN, State.HALF_OPEN);
                    continue;
                case HALF_OPEN:
                    int p = halfOpenPermits.get();
                    if (p <= 0) {
                        if (state == State.HALF_OPEN) return false;
                        continue; // it moved on meanwhile (to CLOSED or OPEN): decide again
                    }
                    if (halfOpenPermits.compareAndSet(p, p - 1)) return true;
                    continue;
                default:
                    throw new IllegalStateException(s.name());
            }
        }
    }

    /** The result of a call admitted by {@link #tryAcquire()}. */
    public void onResult(AttemptResult result) {
        State s = state;
        if (result == AttemptResult.CANCELLED) {
            if (s == State.HALF_OPEN) releasePermit();
            return;
        }
        boolean failure = result.failure();
        switch (s) {
            case CLOSED -> {
                long second = record(failure);
                // a success checks too (it may be the call that reaches minimumCalls), unless the
                // window holds no failure at all
                long lastFailure = lastFailureSecond;
                if (failure || (lastFailure != Long.MIN_VALUE && second - lastFailure < buckets.length)) checkThreshold();
            }
            case HALF_OPEN -> {
                if (failure) transition(State.HALF_OPEN, State.OPEN);
                else if (halfOpenSuccesses.incrementAndGet() >= halfOpenCalls) transition(State.HALF_OPEN, State.CLOSED);
            }
            case OPEN -> { } // admitted before the breaker opened: the decision is made
        }
    }

    public State state() {
        return state;
    }

    /** Calls in the current window (CLOSED only; the window is empty after closing). */
    public long calls() {
        return windowSum() >>> 32;
    }

    /** Failed calls in the current window. */
    public long failures() {
        return windowSum() & FAILURES_MASK;
    }

    /** Failures as a percentage of calls in the window, or -1 before there is any call. */
    public double failureRatePercent() {
        long sum = windowSum();
        long calls = sum >>> 32;
        return calls == 0 ? -1 : 100.0 * (sum & FAILURES_MASK) / calls;
    }

    /** How many times the breaker went from {@code from} to {@code to} since it was made. */
    public long transitions(State from, State to) {
        return transitions[from.ordinal() * STATES.length + to.ordinal()].sum();
    }

    /** Trial calls HALF_OPEN may still admit (0 in other states). */
    public int halfOpenPermits() {
        return state == State.HALF_OPEN ? Math.max(0, halfOpenPermits.get()) : 0;
    }

    // ---------------------------------------------------------------- window

    /** Counts one call in its second's bucket; returns that second. */
    private long record(boolean failure) {
        long second = Math.floorDiv(clock.getAsLong() - origin, NANOS_PER_SECOND);
        Bucket b = buckets[(int) Math.floorMod(second, buckets.length)];
        if (b.second < second) {
            synchronized (b) {
                if (b.second < second) {
                    b.counts.set(0);
                    b.second = second; // published after the reset: readers never see the old counts as new
                }
            }
        }
        b.counts.addAndGet(failure ? CALL | 1 : CALL);
        if (failure) {
            long last;
            while ((last = lastFailureSecond) < second && !LAST_FAILURE.compareAndSet(this, last, second)) {
                // another failure moved it meanwhile: retry unless it is already as recent
            }
        }
        return second;
    }

    /** The packed sum of the buckets within the window (calls high, failures low). */
    private long windowSum() {
        long now = Math.floorDiv(clock.getAsLong() - origin, NANOS_PER_SECOND);
        long sum = 0;
        for (Bucket b : buckets) {
            long second = b.second;
            if (second != Long.MIN_VALUE && second <= now && now - second < buckets.length) sum += b.counts.get();
        }
        return sum;
    }

    private void checkThreshold() {
        long sum = windowSum();
        long calls = sum >>> 32;
        long failures = sum & FAILURES_MASK;
        if (calls >= minimumCalls && failures * 100 >= (long) thresholdPercent * calls) {
            transition(State.CLOSED, State.OPEN);
        }
    }

    private void releasePermit() {
        while (true) {
            int p = halfOpenPermits.get();
            if (p >= halfOpenCalls || halfOpenPermits.compareAndSet(p, p + 1)) return;
        }
    }

    // ---------------------------------------------------------------- transitions

    private void transition(State from, State to) {
        synchronized (lock) {
            if (state != from) return;
            switch (to) {
                case OPEN -> openedAtNanos = clock.getAsLong();
                case HALF_OPEN -> {
                    halfOpenSuccesses.set(0);
                    halfOpenPermits.set(halfOpenCalls);
                }
                case CLOSED -> clearWindow();
            }
            state = to;
            transitions[from.ordinal() * STATES.length + to.ordinal()].increment();
        }
        if (listener != null) {
            try {
                listener.transition(from, to);
            } catch (RuntimeException ignored) {
                // a listener's bug must not break the data path
            }
        }
    }

    private void clearWindow() {
        lastFailureSecond = Long.MIN_VALUE;
        for (Bucket b : buckets) {
            synchronized (b) {
                b.counts.set(0);
                b.second = Long.MIN_VALUE;
            }
        }
    }

    private static long saturatedNanos(Duration d) {
        if (d == null || d.isNegative()) return 0;
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** One second of calls. */
    private static final class Bucket {
        /** The second (since the breaker was made) these counts belong to. */
        volatile long second = Long.MIN_VALUE;
        final AtomicLong counts = new AtomicLong();
    }
}
