package io.strait.gateway.ratelimit;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * One configuration's store, with its failure policy: when the shared store (Redis) cannot answer, a
 * request whose buckets all fail open is decided by a local store in this process, and one with any
 * fail-closed bucket gets {@link Verdict#UNAVAILABLE} (503). Shared by every route's filter.
 */
public final class RateLimiter implements AutoCloseable {
    private final String storeType;
    private final RateLimitStore store;
    /** Decides fail-open requests while the shared store is down; null when the store is itself local. */
    private final RateLimitStore fallback;
    private final LongAdder failedOpen = new LongAdder();
    private final LongAdder failedClosed = new LongAdder();

    /**
     * @param storeType {@code local}, {@code redis} or {@code hybrid} (for metrics)
     * @param fallback an in-process store for fail-open decisions, or null for a local store
     */
    public RateLimiter(String storeType, RateLimitStore store, RateLimitStore fallback) {
        this.storeType = storeType;
        this.store = store;
        this.fallback = fallback;
    }

    public String storeType() {
        return storeType;
    }

    public RateLimitStore store() {
        return store;
    }

    /** The in-process store of fail-open decisions, or null. */
    public RateLimitStore fallback() {
        return fallback;
    }

    /**
     * The answer when it is known at once (a local or hybrid store), else null: then call
     * {@link #acquire}. A hybrid store that cannot reach Redis goes on with its own buckets for fail-open
     * policies; fail-closed ones get 503.
     */
    public Verdict acquireNow(List<Bucket> buckets) {
        if (fallback == null && !store.healthy()) {
            if (anyClosed(buckets)) return failed(buckets);
            failedOpen.increment();
        }
        return store.acquireNow(buckets);
    }

    private static boolean anyClosed(List<Bucket> buckets) {
        for (Bucket b : buckets) {
            if (!b.failOpen()) return true;
        }
        return false;
    }

    /**
     * The store's answer, or the failure policy's when the store cannot give one. Completes on any thread,
     * or at once when the store fails fast (Redis's breaker open).
     */
    public CompletionStage<Verdict> acquire(List<Bucket> buckets) {
        return store.acquire(buckets).exceptionally(e -> failed(buckets));
    }

    private Verdict failed(List<Bucket> buckets) {
        if (anyClosed(buckets)) {
            failedClosed.increment();
            return Verdict.UNAVAILABLE;
        }
        failedOpen.increment();
        Verdict v = fallback == null ? null : fallback.acquireNow(buckets);
        return v != null ? v : Verdict.UNAVAILABLE;
    }

    /** Requests decided by the local fallback because the shared store failed. */
    public long failedOpen() {
        return failedOpen.sum();
    }

    /** Requests refused with 503 because the shared store failed and a policy says fail closed. */
    public long failedClosed() {
        return failedClosed.sum();
    }

    @Override
    public void close() {
        store.close();
        if (fallback != null) fallback.close();
    }
}
