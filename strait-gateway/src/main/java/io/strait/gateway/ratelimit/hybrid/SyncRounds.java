package io.strait.gateway.ratelimit.hybrid;

import io.strait.gateway.ratelimit.MicroClock;
import io.strait.gateway.ratelimit.Rate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hybrid store's sync rounds: which buckets a round pushes, the calls it sends, and what rounds have
 * done so far (counters, last success, the clock offset filter). Methods other than the getters run on the
 * sync thread only.
 */
final class SyncRounds {
    private static final Logger log = LoggerFactory.getLogger(SyncRounds.class);

    /** A reply and when it arrived (this gateway's clock). */
    record Received(HybridSync.Reply reply, long receivedMicros) {}

    /** One script call in flight: the buckets it pushes, in the order of the reply's TATs. */
    record Call(List<LocalBucket> buckets, long sentMicros, CompletableFuture<Received> future) {
        /** The reply, or null when the call failed or timed out (the cause goes to {@code rounds}). */
        Received await(SyncRounds rounds) {
            try {
                Received r = future.get();
                if (r.reply().tats().length == buckets.size()) return r;
                rounds.lastError = "answered " + r.reply().tats().length + " TATs for " + buckets.size() + " keys";
            } catch (ExecutionException e) {
                rounds.lastError = String.valueOf(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                rounds.lastError = "interrupted";
            }
            return null;
        }
    }

    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong keysSynced = new AtomicLong();
    private volatile long lastSuccessMicros;
    private volatile long maxSpanMicros;
    /**
     * Snapshot of the last successful round; -1 until the second (the first may include connecting: until
     * then the store is as during an outage).
     */
    private long previousSnapshotMicros = -1;
    private boolean succeededOnce;
    private long offsetRttMicros = Long.MAX_VALUE;
    private long offsetTakenMicros;
    private boolean failing;
    private String lastError;

    SyncRounds(long startMicros) {
        this.lastSuccessMicros = startMicros;
    }

    /**
     * Takes this round's snapshot: drops idle buckets from {@code buckets}, and groups the others that have
     * something to push (or were never synced) by slot, at most {@link HybridRateLimitStore#MAX_KEYS_PER_CALL}
     * keys a call.
     */
    List<List<LocalBucket>> collect(ConcurrentHashMap<String, LocalBucket> buckets, long now) {
        Map<String, List<LocalBucket>> bySlot = new LinkedHashMap<>();
        List<List<LocalBucket>> calls = new ArrayList<>();
        for (LocalBucket b : buckets.values()) {
            long admitted = b.admitted.sum();
            if (b.synced && admitted <= b.pushed) {
                if (b.retireIfIdle(now)) buckets.remove(b.key, b);
                continue;
            }
            b.batch = admitted;
            b.batchTat = b.tat.get();
            List<LocalBucket> group = bySlot.computeIfAbsent(b.slot, s -> new ArrayList<>());
            group.add(b);
            if (group.size() == HybridRateLimitStore.MAX_KEYS_PER_CALL) {
                calls.add(group);
                bySlot.remove(b.slot);
            }
        }
        calls.addAll(bySlot.values());
        if (calls.isEmpty()) calls.add(List.of()); // still ask: the round measures health and the clock offset
        return calls;
    }

    /** Sends one call per group; a call that has not answered within {@code timeoutMillis} fails. */
    static List<Call> send(List<List<LocalBucket>> groups, long snapshotMicros, HybridSync sync, String prefix,
            ToLongFunction<Rate> maxPush, long keepMillis, MicroClock clock, long timeoutMillis) {
        List<Call> calls = new ArrayList<>(groups.size());
        for (List<LocalBucket> group : groups) {
            List<HybridSync.Push> pushes = new ArrayList<>(group.size());
            for (LocalBucket b : group) {
                long count = Math.min(Math.max(0, b.batch - b.pushed), maxPush.applyAsLong(b.rate));
                pushes.add(new HybridSync.Push(prefix + b.key, count, b.rate.intervalMicros(), b.batchTat - snapshotMicros));
            }
            long sent = clock.nowMicros();
            CompletableFuture<Received> f;
            try {
                f = sync.sync(pushes, keepMillis).toCompletableFuture().thenApply(r -> new Received(r, clock.nowMicros()));
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            calls.add(new Call(group, sent, f.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)));
        }
        return calls;
    }

    /**
     * Redis's clock minus this gateway's, from a reply: the sample with the shortest round trip within
     * {@code lifetimeMicros} wins, its error being at most half its round trip.
     */
    long offset(Received r, long sentMicros, long currentOffset, long lifetimeMicros) {
        long rtt = Math.max(0, r.receivedMicros() - sentMicros);
        if (rtt > offsetRttMicros && r.receivedMicros() - offsetTakenMicros <= lifetimeMicros) return currentOffset;
        offsetRttMicros = rtt;
        offsetTakenMicros = r.receivedMicros();
        return r.reply().redisNowMicros() - (sentMicros + rtt / 2);
    }

    void keysSynced(int n) {
        keysSynced.addAndGet(n);
    }

    void succeeded(long snapshotMicros, long doneMicros) {
        syncs.incrementAndGet();
        if (previousSnapshotMicros >= 0) maxSpanMicros = Math.max(maxSpanMicros, doneMicros - previousSnapshotMicros);
        if (succeededOnce) previousSnapshotMicros = snapshotMicros;
        succeededOnce = true;
        lastSuccessMicros = doneMicros;
        if (failing) {
            failing = false;
            log.info("rate limits: hybrid sync with Redis resumed");
        }
    }

    void failed() {
        failures.incrementAndGet();
        if (!failing) {
            failing = true;
            log.warn("rate limits: hybrid sync with Redis failed ({}); limits are enforced per gateway until it answers",
                    lastError);
        }
    }

    long syncs() {
        return syncs.get();
    }

    long failures() {
        return failures.get();
    }

    long keysSynced() {
        return keysSynced.get();
    }

    long lastSuccessMicros() {
        return lastSuccessMicros;
    }

    long maxSpanMicros() {
        return maxSpanMicros;
    }
}
