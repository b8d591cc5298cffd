package io.strait.gateway.apikey;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache in front of an {@link ApiKeyStore}, so the request path rarely waits for the store and a flood
 * of keys cannot overwhelm it:
 * <ul>
 *   <li>found records (active, revoked or expired alike) are trusted for {@code cacheTtl}: a revocation
 *       takes effect within that time;
 *   <li>unknown hashes are remembered for {@code negativeCacheTtl}: one bad key reaches the store at most
 *       once per that time;
 *   <li>concurrent lookups of one hash share one store call;
 *   <li>at most {@link #DEFAULT_MAX_IN_FLIGHT} store calls run at once; beyond that a lookup answers
 *       {@link Result.Unavailable} at once instead of queueing, so a flood of different bad keys costs
 *       the store at most that many calls at a time, and memory at most {@link #DEFAULT_MAX_NEGATIVE}
 *       remembered hashes;
 *   <li>a failed store call is not cached: a cached key keeps working until its TTL, an uncached one is
 *       {@link Result.Unavailable} until the store answers again.
 * </ul>
 * A full cache first drops expired entries, then arbitrary ones (a tenth of it): the bound matters more than
 * which entry goes.
 */
public final class CachingApiKeyLookup {
    /** Found keys kept: ~100k records is a few tens of MB at most, far more keys than most deployments have. */
    public static final int DEFAULT_MAX_POSITIVE = 100_000;
    /** Unknown hashes kept: 10k entries (~1.5 MB) absorb a flood of bad keys without growing with it. */
    public static final int DEFAULT_MAX_NEGATIVE = 10_000;
    /**
     * Store calls running at once: Redis answers a GET in well under a millisecond, so 256 concurrent calls
     * cover tens of thousands of uncached lookups a second; more would only queue up in front of a slow store.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;
    private static final Logger log = LoggerFactory.getLogger(CachingApiKeyLookup.class);

    /** What a lookup found. */
    public sealed interface Result {
        record Found(ApiKeyRecord record) implements Result {}

        record NotFound() implements Result {}

        record Unavailable() implements Result {}

        Result NOT_FOUND = new NotFound();
        Result UNAVAILABLE = new Unavailable();
    }

    private record Cached(Result result, long expiresAtNanos) {}

    private final ApiKeyStore store;
    private final long ttlNanos;
    private final long negativeTtlNanos;
    private final int maxPositive;
    private final int maxNegative;
    private final int maxInFlight;
    private final LongSupplier nanoTime;
    private final Map<String, Cached> positive = new ConcurrentHashMap<>();
    private final Map<String, Cached> negative = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Result>> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile long lastFailureLog;

    public CachingApiKeyLookup(ApiKeyStore store, Duration cacheTtl, Duration negativeCacheTtl) {
        this(store, cacheTtl, negativeCacheTtl, DEFAULT_MAX_POSITIVE, DEFAULT_MAX_NEGATIVE, DEFAULT_MAX_IN_FLIGHT,
                System::nanoTime);
    }

    public CachingApiKeyLookup(ApiKeyStore store, Duration cacheTtl, Duration negativeCacheTtl, int maxPositive,
            int maxNegative, int maxInFlight, LongSupplier nanoTime) {
        this.store = store;
        this.ttlNanos = cacheTtl.toNanos();
        this.negativeTtlNanos = negativeCacheTtl.toNanos();
        this.maxPositive = maxPositive;
        this.maxNegative = maxNegative;
        this.maxInFlight = maxInFlight;
        this.nanoTime = nanoTime;
        this.lastFailureLog = nanoTime.getAsLong() - 2_000_000_000L;
    }

    /** The cached answer for this hash, or null when the store must be asked. Never blocks. */
    public Result cached(String hash) {
        long now = nanoTime.getAsLong();
        Result r = fresh(positive, hash, now);
        return r != null ? r : fresh(negative, hash, now);
    }

    /** The cached answer if there is one (an already completed future), else the store's. Never throws. */
    public CompletionStage<Result> lookup(String hash) {
        Result r = cached(hash);
        if (r != null) return CompletableFuture.completedFuture(r);
        CompletableFuture<Result> mine = new CompletableFuture<>();
        CompletableFuture<Result> shared = inFlight.putIfAbsent(hash, mine);
        if (shared != null) return shared;
        r = cached(hash); // a call that finished between the first check and now has filled the cache
        if (r != null) {
            inFlight.remove(hash, mine);
            mine.complete(r);
            return mine;
        }
        if (running.incrementAndGet() > maxInFlight) {
            running.decrementAndGet();
            inFlight.remove(hash, mine);
            mine.complete(Result.UNAVAILABLE);
            return mine;
        }
        CompletionStage<Optional<ApiKeyRecord>> call;
        try {
            call = store.lookup(hash);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((found, error) -> {
            Result res;
            if (error != null) {
                logFailure(error);
                res = Result.UNAVAILABLE;
            } else if (found.isPresent()) {
                res = new Result.Found(found.get());
                put(positive, maxPositive, hash, res, ttlNanos);
            } else {
                res = Result.NOT_FOUND;
                put(negative, maxNegative, hash, res, negativeTtlNanos);
            }
            running.decrementAndGet();
            inFlight.remove(hash, mine);
            mine.complete(res);
        });
        return mine;
    }

    /** Entries in the positive and negative caches (for tests and metrics). */
    public int positiveSize() {
        return positive.size();
    }

    public int negativeSize() {
        return negative.size();
    }

    private Result fresh(Map<String, Cached> map, String hash, long now) {
        Cached c = map.get(hash);
        if (c == null) return null;
        if (now - c.expiresAtNanos < 0) return c.result;
        map.remove(hash, c);
        return null;
    }

    private void put(Map<String, Cached> map, int max, String hash, Result r, long ttl) {
        if (ttl <= 0 || max <= 0) return;
        long now = nanoTime.getAsLong();
        if (map.size() >= max) evict(map, max, now);
        map.put(hash, new Cached(r, now + ttl));
    }

    private static void evict(Map<String, Cached> map, int max, long now) {
        map.values().removeIf(c -> now - c.expiresAtNanos >= 0);
        // drop a tenth more than needed, so a flood does not scan the full map on every put
        int target = max - Math.max(1, max / 10);
        Iterator<String> it = map.keySet().iterator();
        while (map.size() > target && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** One line per second at most while the store is down; the message never carries a key. */
    private void logFailure(Throwable error) {
        long now = nanoTime.getAsLong();
        if (now - lastFailureLog < 1_000_000_000L) return;
        lastFailureLog = now;
        Throwable cause = error;
        while (cause.getCause() != null && !(cause instanceof ApiKeyStoreException)) cause = cause.getCause();
        log.warn("API keys: {} lookup failed ({}); uncached keys get 503 until it answers", store.describe(),
                cause.getClass().getSimpleName());
    }
}
