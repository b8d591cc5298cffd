package io.strait.gateway.ratelimit;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strait.config.model.RateLimitsConfig;
import io.strait.gateway.ratelimit.hybrid.HybridRateLimitStore;
import io.strait.gateway.ratelimit.local.LocalRateLimitStore;
import io.strait.gateway.ratelimit.redis.RedisRateLimitStore;
import io.strait.gateway.redis.RedisBreaker;
import java.util.function.Supplier;

/** Builds the store a configuration names, and the store-level metrics. */
public final class RateLimitStores {
    private RateLimitStores() {}

    /**
     * The limiter for {@code s}: its store, and for a Redis store the in-process fallback of fail-open
     * policies. The redis store's connection runs on {@code loops} (the proxy's; may be null).
     */
    public static RateLimiter create(RateLimitsConfig.Store s, io.netty.channel.EventLoopGroup loops) {
        return switch (s.type()) {
            case LOCAL -> new RateLimiter("local", new LocalRateLimitStore(s.maxLocalBuckets()), null);
            case REDIS -> new RateLimiter("redis", new RedisRateLimitStore(s, loops), new LocalRateLimitStore(s.maxLocalBuckets()));
            case HYBRID -> new RateLimiter("hybrid", HybridRateLimitStore.connect(s, loops), null);
        };
    }

    /** Store metrics, read from whichever limiter serves at scrape time ({@code current} may give null). */
    public static void registerMetrics(PrometheusRegistry registry, Supplier<RateLimiter> current) {
        CounterWithCallback.builder()
                .name("strait_ratelimit_store_errors_total")
                .help("Requests whose rate-limit store could not answer, by store and the policy's choice"
                        + " (open: decided by a local bucket; closed: answered 503)")
                .labelNames("store", "on_error")
                .callback(cb -> {
                    RateLimiter l = current.get();
                    if (l == null) return;
                    cb.call(l.failedOpen(), l.storeType(), "open");
                    cb.call(l.failedClosed(), l.storeType(), "closed");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("strait_ratelimit_local_buckets")
                .help("Buckets held in this process (local store, hybrid store, or the fail-open fallback)")
                .labelNames("store")
                .callback(cb -> {
                    RateLimiter l = current.get();
                    if (l == null) return;
                    if (l.store() instanceof LocalRateLimitStore local) cb.call(local.size(), l.storeType());
                    if (l.store() instanceof HybridRateLimitStore h) cb.call(h.localBuckets(), l.storeType());
                    if (l.fallback() instanceof LocalRateLimitStore local) cb.call(local.size(), l.storeType() + "-fallback");
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("strait_ratelimit_hybrid_syncs_total")
                .help("Synchronisations of the hybrid store's buckets with Redis, by result (success, failure)")
                .labelNames("result")
                .callback(cb -> {
                    if (current.get() != null && current.get().store() instanceof HybridRateLimitStore h) {
                        cb.call(h.syncs(), "success");
                        cb.call(h.syncFailures(), "failure");
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("strait_ratelimit_redis_breaker_state")
                .help("The breaker around the rate-limit store's Redis: 1 for its current state (closed; open: failing fast;"
                        + " half_open: probing), 0 for the others (as strait_circuit_breaker_state)")
                .labelNames("state")
                .callback(cb -> {
                    if (current.get() != null && current.get().store() instanceof RedisRateLimitStore r) {
                        RedisBreaker.State now = r.breaker().state();
                        for (RedisBreaker.State s : RedisBreaker.State.values()) {
                            cb.call(s == now ? 1 : 0, s.name().toLowerCase(java.util.Locale.ROOT));
                        }
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("strait_ratelimit_redis_calls_total")
                .help("Calls to the rate-limit store's Redis by result (success, failure: error or slower than store.timeout;"
                        + " rejected: not made because the breaker was open)")
                .labelNames("result")
                .callback(cb -> {
                    if (current.get() != null && current.get().store() instanceof RedisRateLimitStore r) {
                        RedisBreaker b = r.breaker();
                        cb.call(b.calls() - b.failures(), "success");
                        cb.call(b.failures(), "failure");
                        cb.call(b.rejected(), "rejected");
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("strait_ratelimit_redis_breaker_opens_total")
                .help("Times the breaker around the rate-limit store's Redis opened")
                .callback(cb -> {
                    if (current.get() != null && current.get().store() instanceof RedisRateLimitStore r) cb.call(r.breaker().opens());
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("strait_ratelimit_overflow_total")
                .help("Requests charged to a policy's shared overflow bucket because the local bucket table was full")
                .labelNames("store")
                .callback(cb -> {
                    RateLimiter l = current.get();
                    if (l != null && l.store() instanceof LocalRateLimitStore local) cb.call(local.overflowed(), l.storeType());
                })
                .register(registry);
    }
}
