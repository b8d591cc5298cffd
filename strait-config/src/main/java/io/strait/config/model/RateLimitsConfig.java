package io.strait.config.model;

import java.time.Duration;
import java.util.Map;

/**
 * Rate limiting (section {@code rateLimits}): where buckets live and the named policies routes pick
 * with {@link RouteConfig#rateLimit()}.
 *
 * @param store the bucket store shared by every policy
 * @param policies policies by name, in file order
 * @param ietfHeaders whether responses also carry the IETF draft's {@code RateLimit-Policy} and
 *     {@code RateLimit} headers (the {@code X-RateLimit-*} headers are always sent)
 */
public record RateLimitsConfig(Store store, Map<String, RateLimitPolicy> policies, boolean ietfHeaders) {
    // The defaults of the store's settings (io.strait.config.load.ConfigLoader names them too, for the docs' table).
    // Declared before NONE, which is built from them.

    /** Redis calls slower than this count as failures: Redis on the same network answers in about a millisecond. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
    /** How often a hybrid store pushes what it admitted to Redis and learns what the others did. */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(100);
    /** The key shape the issue asks for ({@code rate_limit:{client}:{endpoint}}), apart from other data in the same Redis. */
    public static final String DEFAULT_KEY_PREFIX = "rate_limit:";
    /** Buckets a local store keeps at most; past it, new keys of a policy share one overflow bucket. */
    public static final int DEFAULT_MAX_LOCAL_BUCKETS = 100_000;
    /** The IETF {@code RateLimit} headers are still a draft: sent only when asked for. */
    public static final boolean DEFAULT_IETF_HEADERS = false;

    /**
     * No {@code rateLimits} section: the local store and no policies. Its store is built here rather than taken
     * from {@link Store#LOCAL}: whichever of the two classes is initialised first, neither sees the other's
     * constants still null.
     */
    public static final RateLimitsConfig NONE = new RateLimitsConfig(localStore(), Map.of(), DEFAULT_IETF_HEADERS);

    public enum StoreType { LOCAL, REDIS, HYBRID }

    /**
     * @param type local (in-process, the default), redis (one atomic round trip per request) or hybrid
     *     (local buckets synchronised with Redis every {@code syncInterval})
     * @param uri {@code redis://[password@]host:port[/db]} for redis and hybrid, or null; redacted in admin output
     * @param cluster whether {@code uri} names a Redis Cluster node (keys are hash-tagged either way)
     * @param timeout a Redis call slower than this fails (and counts towards opening the store's breaker)
     * @param syncInterval hybrid only: how often local buckets are synchronised
     * @param keyPrefix prefix of every Redis key
     * @param maxLocalBuckets bound on in-process buckets (local store, hybrid store and the fail-open fallback)
     */
    public record Store(StoreType type, String uri, boolean cluster, Duration timeout, Duration syncInterval,
            String keyPrefix, int maxLocalBuckets) {
        /** The local store with every default. */
        public static final Store LOCAL = localStore();
    }

    private static Store localStore() {
        return new Store(StoreType.LOCAL, null, false, DEFAULT_TIMEOUT, DEFAULT_SYNC_INTERVAL, DEFAULT_KEY_PREFIX,
                DEFAULT_MAX_LOCAL_BUCKETS);
    }

    public RateLimitPolicy policy(String name) {
        return policies.get(name);
    }
}
