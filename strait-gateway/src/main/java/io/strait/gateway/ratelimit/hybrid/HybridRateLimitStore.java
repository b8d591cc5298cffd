package io.strait.gateway.ratelimit.hybrid;

import io.strait.config.model.RateLimitsConfig;
import io.strait.gateway.redis.RedisConnector;
import io.strait.gateway.ratelimit.Bucket;
import io.strait.gateway.ratelimit.BucketState;
import io.strait.gateway.ratelimit.Gcra;
import io.strait.gateway.ratelimit.MicroClock;
import io.strait.gateway.ratelimit.Rate;
import io.strait.gateway.ratelimit.RateLimitStore;
import io.strait.gateway.ratelimit.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local GCRA buckets kept in step with Redis every {@code syncInterval}: no Redis round trip on the request
 * path, one limit shared by every gateway up to a bounded over-admission.
 *
 * <h2>Hot path</h2>
 * Per key, a {@link LocalBucket}: the TAT as this gateway believes it and the requests it admitted.
 * A request is charged to all its buckets by compare-and-set on their TATs ({@link Gcra}), all or nothing
 * (a refusal refunds the buckets already charged). No lock, no Redis, no waiting: {@link #acquire} answers
 * with a completed stage.
 *
 * <h2>Synchronisation</h2>
 * Every {@code syncInterval} one scheduler thread (not an event loop) takes a snapshot of every bucket with
 * requests not yet pushed (or never synced), groups the keys by hash slot and sends one {@link HybridSync}
 * call per group (Redis Cluster compatible). Redis charges each count {@code c} to the global TAT:
 * {@code TAT = max(TAT + c·T, now + lead)}, the lead being the local TAT's distance ahead of the gateway's
 * clock at the snapshot. Not {@code max(TAT, now) + c·T}: that would charge the batch as if its requests
 * had all arrived at the sync and run a busy key below its limit ({@link HybridSync#sync} has the
 * argument). Debt is recorded, never capped, so the long-run rate is exact. The local TAT becomes
 * {@code max(global TAT, now) + (admitted since the snapshot)·T}.
 *
 * <h2>Clocks</h2>
 * Decisions use this gateway's monotonic clock; Redis uses its own ({@code TIME}). What crosses between
 * them is relative, a TAT's lead over the sender's now, so a clock offset never enters the shared state:
 * a TAT moved across arrives a one-way delay later than it was, which is the safe direction. The offset to
 * Redis's clock is still measured (the reply with the shortest round trip in the last
 * {@link #OFFSET_SAMPLE_LIFETIME} wins) and gives {@link Verdict#nowMicros()} on Redis's clock.
 *
 * <h2>Over-admission bound</h2>
 * For one key, with {@code G} gateways, rate {@code r = 1/T}, burst {@code b} and {@code S} the longest time
 * from a gateway's sync snapshot to the reply of its next successful sync ({@link #maxSyncSpanMicros()}:
 * {@code syncInterval} + about two round trips, more when the sync thread is delayed), over any period of
 * length {@code D}, while Redis answers (and S stays under the time keys are kept past their TAT,
 * {@link #KEEP_AFTER_TAT_SYNC_INTERVALS}):
 * <pre>  admitted ≤ b + r·D + (G − 1)·(b + 2·r·S)</pre>
 * The first two terms are the exact allowance. Derivation: (1) let {@code V} be a GCRA that sees every
 * admission of every gateway at its time and refuses nothing; N admissions in a period of length D give
 * {@code V ≥ start + N·T}, so the over-admission is {@code V}'s lead over {@code now + b·T}, in units of T.
 * (2) A gateway admits only when its local TAT is within {@code b·T} of now, and its local TAT is at least
 * the GCRA of every admission it knows of: Redis's TAT is at least the GCRA of all pushed admissions (see
 * {@link HybridSync#sync}), moving a TAT between clocks only delays it, and the local TAT adds this
 * gateway's admissions since. Adding one unknown admission to a GCRA raises its TAT by at most T, so the
 * lead is at most the number of admissions hidden from that gateway. (3) An admission reaches Redis at its
 * gateway's next sync (within S) and another gateway that syncs the key at that one's next sync (within S
 * more): the admissions hidden from a gateway are each other gateway's in a window of 2S, and a gateway's
 * own bucket lets through at most {@code b + r·2S} in 2S. A gateway that has not synced a key lately (it
 * admitted nothing for it in a round) admits from a bucket no fuller than a new one, and what it then
 * admits is hidden from the others only until its next sync: the same budget.
 * {@code HybridOverAdmissionBoundTest} checks the bound against this class over random and adversarial
 * schedules; measured over-admission stays around half of it.
 *
 * <h2>Redis down or slow</h2>
 * The hot path does not notice: each gateway goes on enforcing the limit alone (G gateways admit up to G
 * times the limit), counting what it admits. When Redis answers again the counts are pushed, each key's
 * push capped at {@link #maxPush} (the burst plus one window's worth): a long outage does not leave a debt
 * that would lock a client out long after. A call that times out after Redis ran it is pushed again
 * (counted twice: the safe direction). {@link #healthy()} is false after
 * {@link #UNHEALTHY_AFTER_SYNC_INTERVALS} sync intervals without a successful sync; the store keeps
 * answering, and the caller decides what a fail-closed policy does then.
 *
 * <h2>Memory</h2>
 * A bucket that is full (TAT at or before now) with everything pushed is dropped at the next sync. At
 * {@code maxLocalBuckets} buckets, new keys of a policy share one bucket, {@code {overflow}:<policy>}
 * (the map can exceed the bound by one overflow bucket per policy). In Redis a key lives until
 * {@link #KEEP_AFTER_TAT_SYNC_INTERVALS} sync intervals after its TAT.
 */
public final class HybridRateLimitStore implements RateLimitStore {
    /**
     * Five sync intervals: one slow reply or a GC pause does not flap it; a dead Redis shows within half a
     * second at the default interval.
     */
    public static final int UNHEALTHY_AFTER_SYNC_INTERVALS = 5;
    /**
     * Keys per script call: a call of a few hundred keys runs in well under a millisecond, so it does not
     * hold Redis (single-threaded) long, and the argument list stays far from Lua's limits.
     */
    public static final int MAX_KEYS_PER_CALL = 256;
    /** Clocks drift by at most parts per million: an offset sample stays good for seconds, then a fresh one is taken. */
    public static final Duration OFFSET_SAMPLE_LIFETIME = Duration.ofSeconds(10);
    /**
     * A key stays in Redis this many sync intervals (plus the timeout) after its TAT has passed: a batch that
     * arrives late (slow reply, busy sync thread) is still charged against the TAT it was admitted under
     * (see {@link HybridSync#sync}); ten intervals cover any lag of a working sync, at the cost of idle keys
     * living about a second longer at the default interval.
     */
    public static final int KEEP_AFTER_TAT_SYNC_INTERVALS = 10;
    static final String OVERFLOW_SLOT = "overflow";
    private static final Logger log = LoggerFactory.getLogger(HybridRateLimitStore.class);

    private final HybridSync sync;
    private final MicroClock clock;
    private final String prefix;
    private final long syncIntervalMicros;
    private final long timeoutMillis;
    private final long keepMillis;
    private final int maxLocalBuckets;
    private final ConcurrentHashMap<String, LocalBucket> buckets = new ConcurrentHashMap<>();
    private final SyncRounds rounds;
    private final ScheduledExecutorService scheduler;
    /** Redis's clock minus this gateway's: only for {@link Verdict#nowMicros()}. */
    private volatile long offsetMicros;

    /** A store that syncs through {@code sync} every {@code config.syncInterval()} on its own thread. */
    public HybridRateLimitStore(HybridSync sync, RateLimitsConfig.Store config, MicroClock clock) {
        this(sync, config, clock, true);
    }

    HybridRateLimitStore(HybridSync sync, RateLimitsConfig.Store config, MicroClock clock, boolean schedule) {
        this.sync = sync;
        this.clock = clock;
        this.prefix = config.keyPrefix() == null ? RateLimitsConfig.DEFAULT_KEY_PREFIX : config.keyPrefix();
        Duration interval = config.syncInterval() == null ? RateLimitsConfig.DEFAULT_SYNC_INTERVAL : config.syncInterval();
        Duration timeout = config.timeout() == null ? RateLimitsConfig.DEFAULT_TIMEOUT : config.timeout();
        this.syncIntervalMicros = Math.max(1, interval.toNanos() / 1000);
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.keepMillis = KEEP_AFTER_TAT_SYNC_INTERVALS * Math.ceilDiv(syncIntervalMicros, 1000) + timeoutMillis;
        this.maxLocalBuckets = config.maxLocalBuckets() > 0 ? config.maxLocalBuckets() : RateLimitsConfig.DEFAULT_MAX_LOCAL_BUCKETS;
        this.rounds = new SyncRounds(clock.nowMicros());
        if (schedule) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "strait-ratelimit-hybrid-sync");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(this::syncSafely, syncIntervalMicros, syncIntervalMicros, TimeUnit.MICROSECONDS);
        } else {
            scheduler = null;
        }
    }

    /** A store on its own Redis connection (closed with the store), with threads of its own. */
    public static HybridRateLimitStore connect(RateLimitsConfig.Store config) {
        return connect(config, null);
    }

    /** A store on its own Redis connection (closed with the store), on {@code loops} (the proxy's; may be null). */
    public static HybridRateLimitStore connect(RateLimitsConfig.Store config, io.netty.channel.EventLoopGroup loops) {
        RedisConnector connection = new RedisConnector(config.uri(), config.cluster(),
                config.timeout() == null ? RateLimitsConfig.DEFAULT_TIMEOUT : config.timeout(), "rate limits (hybrid)", loops);
        connection.connection(); // start connecting now, not in the first sync round
        return new HybridRateLimitStore(new LettuceHybridSync(connection, true), config, MicroClock.SYSTEM);
    }

    @Override
    public CompletionStage<Verdict> acquire(List<Bucket> buckets) {
        return CompletableFuture.completedFuture(acquireNow(buckets));
    }

    /** {@link #acquire} without the stage: decided in process, at once (never null). */
    @Override
    public Verdict acquireNow(List<Bucket> request) {
        long now = clock.nowMicros();
        int n = request.size();
        LocalBucket[] charged = new LocalBucket[n];
        long[] tats = new long[n];
        for (int i = 0; i < n; i++) {
            Bucket b = request.get(i);
            LocalBucket.Charge c;
            LocalBucket local;
            do {
                local = bucket(b);
                c = local.charge(now, b.rate(), tats, i);
            } while (c == LocalBucket.Charge.RETIRED);
            if (c == LocalBucket.Charge.REFUSED) return refused(request, charged, tats, i, now);
            charged[i] = local;
        }
        BucketState[] states = new BucketState[n];
        for (int i = 0; i < n; i++) states[i] = Gcra.admitted(tats[i], now, request.get(i).rate());
        return new Verdict(true, List.of(states), now + offsetMicros);
    }

    private Verdict refused(List<Bucket> request, LocalBucket[] charged, long[] tats, int refusedAt, long now) {
        BucketState[] states = new BucketState[request.size()];
        for (int i = 0; i < states.length; i++) {
            Rate rate = request.get(i).rate();
            if (i < refusedAt) {
                charged[i].refund(rate);
                states[i] = Gcra.untouched(tats[i] - rate.intervalMicros(), now, rate);
            } else if (i == refusedAt) {
                states[i] = Gcra.refused(tats[i], now, rate);
            } else {
                LocalBucket other = buckets.get(request.get(i).key());
                long t = other == null ? now : other.tat.get();
                states[i] = Gcra.untouched(t == LocalBucket.RETIRED ? now : t, now, rate);
            }
        }
        return new Verdict(false, List.of(states), now + offsetMicros);
    }

    /** The bucket for {@code b}, or its policy's overflow bucket once the map is full. */
    private LocalBucket bucket(Bucket b) {
        LocalBucket local = buckets.get(b.key());
        if (local != null && local.tat.get() != LocalBucket.RETIRED) return local;
        String key = b.key();
        String slot = b.slot();
        if (local == null && buckets.size() >= maxLocalBuckets) {
            key = overflowKey(b.policy());
            slot = OVERFLOW_SLOT;
            local = buckets.get(key);
            if (local != null && local.tat.get() != LocalBucket.RETIRED) return local;
        }
        String s = slot;
        return buckets.compute(key, (k, v) -> v == null || v.tat.get() == LocalBucket.RETIRED ? new LocalBucket(k, s, b.rate()) : v);
    }

    /** The key new buckets of {@code policy} share once the map is full. */
    static String overflowKey(String policy) {
        return "{" + OVERFLOW_SLOT + "}:" + policy;
    }

    /**
     * The most requests one push carries for a key: the burst plus one window's worth (more if the sync
     * interval is longer than the window). In normal operation a gateway admits at most
     * {@code b + r·(syncInterval + round trip)} between two pushes, below this; only an outage longer than a
     * window reaches it, and then the surplus is dropped rather than recorded as a long debt.
     */
    long maxPush(Rate rate) {
        long perWindow = Math.max(rate.limit(), Math.ceilDiv(2 * syncIntervalMicros, rate.intervalMicros()));
        return rate.burst() + perWindow;
    }

    private void syncSafely() {
        try {
            syncOnce();
        } catch (Throwable e) {
            // never let the scheduler die: the next round tries again
            rounds.failed();
            log.warn("rate limits: hybrid sync round failed: {}", e.toString());
        }
    }

    /** One round: drop idle buckets, push pending counts, apply the replies. Sync thread (or tests) only. */
    void syncOnce() {
        long snapshot = clock.nowMicros();
        List<List<LocalBucket>> groups = rounds.collect(buckets, snapshot);
        List<SyncRounds.Call> calls = SyncRounds.send(groups, snapshot, sync, prefix, this::maxPush, keepMillis, clock, timeoutMillis);
        boolean ok = true;
        for (SyncRounds.Call call : calls) {
            SyncRounds.Received r = call.await(rounds);
            if (r == null) {
                ok = false;
                continue;
            }
            offsetMicros = rounds.offset(r, call.sentMicros(), offsetMicros, OFFSET_SAMPLE_LIFETIME.toNanos() / 1000);
            long now = clock.nowMicros();
            long[] tats = r.reply().tats();
            for (int i = 0; i < call.buckets().size(); i++) {
                LocalBucket local = call.buckets().get(i);
                local.pushed = Math.max(local.pushed, local.batch);
                local.synced = true;
                // Redis's TAT moved to this clock as a lead over the reply's arrival: a little later than it
                // is (by the reply's way back), never earlier
                local.applyGlobal(r.receivedMicros() + (tats[i] - r.reply().redisNowMicros()), now);
            }
            rounds.keysSynced(call.buckets().size());
        }
        if (ok) rounds.succeeded(snapshot, clock.nowMicros());
        else rounds.failed();
    }

    /** Waits, at most {@code limit}, for the connection to Redis (called on the control thread at start). */
    @Override
    public boolean awaitReady(java.time.Duration limit) {
        return RateLimitStore.await(sync.ready(), limit);
    }

    /**
     * Whether a sync succeeded within the last {@link #UNHEALTHY_AFTER_SYNC_INTERVALS} sync intervals. While
     * false the store still answers, from local state only; the caller decides what a fail-closed policy does.
     */
    @Override
    public boolean healthy() {
        return clock.nowMicros() - rounds.lastSuccessMicros() <= UNHEALTHY_AFTER_SYNC_INTERVALS * syncIntervalMicros;
    }

    /** Sync rounds that succeeded (every call answered). */
    public long syncs() {
        return rounds.syncs();
    }

    /** Sync rounds in which at least one call failed. */
    public long syncFailures() {
        return rounds.failures();
    }

    /** Keys pushed (or read) successfully, summed over rounds. */
    public long keysSynced() {
        return rounds.keysSynced();
    }

    /** Buckets held in process now. */
    public int localBuckets() {
        return buckets.size();
    }

    /**
     * {@code S} of the over-admission bound: the longest time so far from a successful sync's snapshot to the
     * reply of the next successful sync, in microseconds, from the second successful sync on (the first
     * includes connecting; before it the store is as during an outage). 0 until then.
     */
    public long maxSyncSpanMicros() {
        return rounds.maxSpanMicros();
    }

    /** Redis's clock minus this gateway's, as last estimated. */
    public long clockOffsetMicros() {
        return offsetMicros;
    }

    /** Stops syncing after one last push of what is pending (best effort), and closes the Redis access. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                if (!scheduler.awaitTermination(timeoutMillis + 1000, TimeUnit.MILLISECONDS)) scheduler.shutdownNow();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            syncSafely();
        }
        sync.close();
    }
}
