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
    public static final RateLimitsConfig NONE = new RateLimitsConfig(Store.LOCAL, Map.of(), false);

    /** Redis calls slower than this count as failures: Redis on the same network answers in about a millisecond. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
    /** How often a hybrid store pushes what it admitted to Redis and learns what the others did. */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(100);
    public static final String DEFAULT_KEY_PREFIX = "rate_limit:";
    /** Buckets a local store keeps at most; past it, new keys of a policy share one overflow bucket. */
    public static final int DEFAULT_MAX_LOCAL_BUCKETS = 100_000;

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
        public static final Store LOCAL = new Store(StoreType.LOCAL, null, false, DEFAULT_TIMEOUT, DEFAULT_SYNC_INTERVAL,
                DEFAULT_KEY_PREFIX, DEFAULT_MAX_LOCAL_BUCKETS);
    }

    public RateLimitPolicy policy(String name) {
        return policies.get(name);
    }
}
