package io.strait.gateway.ratelimit.local;

import io.strait.config.model.RateLimitsConfig;
import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.BucketState;
import io.strait.gateway.ratelimit.Gcra;
import io.strait.gateway.ratelimit.MicroClock;
import io.strait.gateway.ratelimit.Rate;
import io.strait.gateway.ratelimit.RateLimitStore;
import io.strait.gateway.ratelimit.RateLimitStoreException;
import io.strait.gateway.ratelimit.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process store: one {@link AtomicLong} per bucket key holding its GCRA theoretical arrival time (Unix epoch
 * microseconds), charged with compare-and-set loops; no lock on the request path.
 *
 * <p>Memory is bounded by {@code maxBuckets}. A bucket whose TAT is not after now is full, as good as absent, so a
 * daemon thread sweeps such entries every few seconds, and sooner when an insert finds the map full. While the map is
 * still full, new keys of a policy share one overflow bucket for that policy (the bucket {@code {overflow}:<policy>}):
 * they are limited together, which is conservative. Overflow buckets are kept apart from the bounded map, at most one
 * per policy.
 */
public final class LocalRateLimitStore implements RateLimitStore {
    /** Expired entries only cost memory, and memory is bounded anyway: a walk of 100,000 entries every 5 s is noise. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(5);
    /**
     * A map full of live keys (a flood of distinct clients) would otherwise have every new key ask for a sweep that
     * frees nothing; at most 4 extra walks a second keeps the sweeper under about 1% of a core.
     */
    static final long MIN_ON_DEMAND_SWEEP_GAP_MICROS = 250_000;
    /** A swept cell: a request that reads it looks the key up again (its charge would otherwise be lost). */
    private static final long DEAD = Long.MIN_VALUE;
    /** A new bucket's TAT: far in the past, i.e. full (the clock is Unix epoch time, never negative). */
    private static final long EMPTY = 0;
    private static final Function<String, AtomicLong> NEW_OVERFLOW_CELL = k -> new OverflowCell();
    private static final AtomicInteger SWEEPER_IDS = new AtomicInteger();
    private static final Logger log = LoggerFactory.getLogger(LocalRateLimitStore.class);

    private final int maxBuckets;
    private final MicroClock clock;
    private final ConcurrentHashMap<String, AtomicLong> tats = new ConcurrentHashMap<>();
    /** Entries of {@link #tats}, reserved before an insert so the bound holds under concurrent inserts. */
    private final AtomicInteger entries = new AtomicInteger();
    /** Overflow buckets by policy name. */
    private final ConcurrentHashMap<String, AtomicLong> overflow = new ConcurrentHashMap<>();
    private final LongAdder overflowed = new LongAdder();
    private final AtomicLong lastOnDemandSweep;
    private final ScheduledThreadPoolExecutor sweeper;
    private final Runnable sweepTask = this::sweepQuietly;
    private volatile Thread sweeperThread;

    /** A store with {@link RateLimitsConfig#DEFAULT_MAX_LOCAL_BUCKETS} buckets and the system clock. */
    public LocalRateLimitStore() {
        this(RateLimitsConfig.DEFAULT_MAX_LOCAL_BUCKETS);
    }

    /** A store with at most {@code maxBuckets} buckets (plus one overflow bucket per policy) and the system clock. */
    public LocalRateLimitStore(int maxBuckets) {
        this(maxBuckets, MicroClock.SYSTEM, DEFAULT_SWEEP_INTERVAL);
    }

    /**
     * @param clock Unix-epoch microseconds, never negative (tests pass a fake one)
     * @param sweepInterval how often the store's own daemon thread drops full buckets
     */
    public LocalRateLimitStore(int maxBuckets, MicroClock clock, Duration sweepInterval) {
        if (maxBuckets <= 0) throw new IllegalArgumentException("maxBuckets must be > 0");
        if (sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("sweepInterval must be > 0");
        }
        this.maxBuckets = maxBuckets;
        this.clock = clock;
        this.lastOnDemandSweep = new AtomicLong(clock.nowMicros() - MIN_ON_DEMAND_SWEEP_GAP_MICROS);
        this.sweeper = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "strait-ratelimit-sweeper-" + SWEEPER_IDS.incrementAndGet());
            t.setDaemon(true);
            sweeperThread = t;
            return t;
        });
        long micros = Math.max(1, sweepInterval.toNanos() / 1000);
        sweeper.scheduleWithFixedDelay(sweepTask, micros, micros, TimeUnit.MICROSECONDS);
    }

    @Override
    public CompletionStage<Verdict> acquire(List<Bucket> buckets) {
        try {
            return CompletableFuture.completedFuture(acquireNow(buckets));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new RateLimitStoreException("local store: " + e, e));
        }
    }

    /**
     * Charges one request to every bucket, all or nothing, on the caller's thread; never blocks and never returns
     * null. Throws only on invalid input (a null list or bucket), which {@link #acquire} turns into a failed stage.
     */
    @Override
    public Verdict acquireNow(List<Bucket> buckets) {
        long now = clock.nowMicros();
        int n = buckets.size();
        if (n == 1) {
            Bucket b = buckets.get(0);
            long r = charge(b, now, null, 0);
            return r >= 0
                    ? new Verdict(true, List.of(Gcra.admitted(r, now, b.rate())), now)
                    : new Verdict(false, List.of(Gcra.refused(~r, now, b.rate())), now);
        }
        AtomicLong[] cells = new AtomicLong[n];
        BucketState[] states = new BucketState[n];
        for (int i = 0; i < n; i++) {
            Bucket b = buckets.get(i);
            long r = charge(b, now, cells, i);
            if (r < 0) {
                refuse(buckets, cells, states, i, ~r, now);
                return new Verdict(false, List.of(states), now);
            }
            states[i] = Gcra.admitted(r, now, b.rate());
        }
        return new Verdict(true, List.of(states), now);
    }

    /**
     * One compare-and-set loop: the bucket's new TAT (positive) when it had room, else {@code ~tat} (negative), the
     * TAT that refused. Stores the charged cell in {@code cells[i]} when {@code cells} is given.
     */
    private long charge(Bucket b, long now, AtomicLong[] cells, int i) {
        Rate rate = b.rate();
        AtomicLong cell = cell(b, now);
        long tat = cell.get();
        while (true) {
            if (tat == DEAD) {
                cell = replace(b, cell, now);
                tat = cell.get();
                continue;
            }
            long next = Gcra.charge(tat, now, rate);
            boolean fits = Gcra.fits(next, now, rate);
            long witness = fits ? cell.compareAndExchange(tat, next) : tat;
            if (witness == tat) {
                if (cells != null) cells[i] = cell;
                if (cell instanceof OverflowCell) overflowed.increment();
                return fits ? next : ~tat;
            }
            tat = witness;
        }
    }

    /**
     * Bucket {@code refused} had no room: gives back what the buckets before it were charged, and fills every state.
     *
     * <p>The refund races, harmlessly: until it lands, other requests see the earlier buckets charged and one of them
     * may be refused that would have fit (conservative). A refund could also take back someone else's charge if, while
     * this thread stalled, the bucket's TAT fell behind the clock and another request restarted it from its own now;
     * so no refund is made once the clock has moved an interval past {@code now} (the charge is then kept: again
     * conservative). What remains is the nanoseconds between that clock read and the compare-and-set.
     */
    private void refuse(List<Bucket> buckets, AtomicLong[] cells, BucketState[] states, int refused, long tat,
            long now) {
        long later = refused > 0 ? clock.nowMicros() : now;
        for (int j = 0; j < refused; j++) {
            Rate rate = buckets.get(j).rate();
            if (later - now < rate.intervalMicros()) refund(cells[j], rate.intervalMicros());
            states[j] = Gcra.untouched(live(cells[j].get()), now, rate);
        }
        states[refused] = Gcra.refused(tat, now, buckets.get(refused).rate());
        for (int j = refused + 1; j < states.length; j++) {
            Bucket b = buckets.get(j);
            states[j] = Gcra.untouched(peek(b), now, b.rate());
        }
    }

    private static void refund(AtomicLong cell, long interval) {
        long tat = cell.get();
        while (tat != DEAD) {
            long witness = cell.compareAndExchange(tat, tat - interval);
            if (witness == tat) return;
            tat = witness;
        }
    }

    private static long live(long tat) {
        return tat == DEAD ? EMPTY : tat;
    }

    /** The TAT the bucket would be charged from, without creating it. */
    private long peek(Bucket b) {
        AtomicLong cell = tats.get(b.key());
        if (cell == null && entries.get() >= maxBuckets) cell = overflow.get(b.policy());
        return cell == null ? EMPTY : live(cell.get());
    }

    private AtomicLong cell(Bucket b, long now) {
        AtomicLong cell = tats.get(b.key());
        return cell != null ? cell : insert(b, now);
    }

    private AtomicLong insert(Bucket b, long now) {
        if (!reserve()) {
            sweepSoon(now);
            return overflow.computeIfAbsent(b.policy(), NEW_OVERFLOW_CELL);
        }
        AtomicLong fresh = new AtomicLong(EMPTY);
        AtomicLong raced = tats.putIfAbsent(b.key(), fresh);
        if (raced == null) return fresh;
        entries.decrementAndGet();
        return raced;
    }

    /** A cell was swept while we held it: help remove it, then look the key up again. */
    private AtomicLong replace(Bucket b, AtomicLong dead, long now) {
        if (tats.remove(b.key(), dead)) entries.decrementAndGet();
        overflow.remove(b.policy(), dead);
        return cell(b, now);
    }

    private boolean reserve() {
        int n = entries.get();
        while (n < maxBuckets) {
            int witness = entries.compareAndExchange(n, n + 1);
            if (witness == n) return true;
            n = witness;
        }
        return false;
    }

    /** Asks the sweeper thread for a sweep (never on the caller: it may be an event loop), at most every 250 ms. */
    private void sweepSoon(long now) {
        long last = lastOnDemandSweep.get();
        if (now - last < MIN_ON_DEMAND_SWEEP_GAP_MICROS || !lastOnDemandSweep.compareAndSet(last, now)) return;
        try {
            sweeper.execute(sweepTask);
        } catch (RejectedExecutionException closed) {
            // closed: nothing sweeps any more, and the map stays bounded
        }
    }

    /**
     * Removes every bucket whose TAT is not after now (it is full, as good as absent). A cell is first marked dead by
     * compare-and-set, so a request charging it concurrently either wins (and the cell stays) or looks the key up
     * again. Returns how many entries were removed. Walks the whole map: call it off the event loop.
     */
    public int sweep() {
        long now = clock.nowMicros();
        int removed = 0;
        for (Map.Entry<String, AtomicLong> e : tats.entrySet()) {
            if (kill(e.getValue(), now) && tats.remove(e.getKey(), e.getValue())) {
                entries.decrementAndGet();
                removed++;
            }
        }
        for (Map.Entry<String, AtomicLong> e : overflow.entrySet()) {
            if (kill(e.getValue(), now) && overflow.remove(e.getKey(), e.getValue())) removed++;
        }
        return removed;
    }

    private static boolean kill(AtomicLong cell, long now) {
        long tat = cell.get();
        while (tat != DEAD && tat <= now) {
            long witness = cell.compareAndExchange(tat, DEAD);
            if (witness == tat) return true;
            tat = witness;
        }
        return tat == DEAD;
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            log.warn("rate limit sweep failed", e); // keep the schedule alive
        }
    }

    /** Buckets held now, overflow buckets included. */
    public int size() {
        return entries.get() + overflow.size();
    }

    /** Requests charged to an overflow bucket because the map was full. */
    public long overflowed() {
        return overflowed.sum();
    }

    /** The bound on {@link #size()}, overflow buckets aside. */
    public int maxBuckets() {
        return maxBuckets;
    }

    /** Stops the sweeper; the store still answers (without sweeping). */
    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    Thread sweeperThread() {
        return sweeperThread;
    }

    /** The shared bucket of a policy's keys that found the map full; its own type so charges to it are counted. */
    private static final class OverflowCell extends AtomicLong {
        OverflowCell() {
            super(EMPTY);
        }
    }
}
