package io.strait.gateway.ratelimit;

import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strait.config.model.RateLimitPolicy;
import io.strait.config.model.RateLimitsConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteRateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's rate limiting across reloads: builds each route's {@link RateLimitFilter}, and keeps the
 * store (its buckets, its Redis connection) while the store's settings stay the same, so a reload that
 * only changes policies or routes does not reset anyone's bucket. Called on the control thread.
 */
public final class RateLimits implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);
    /**
     * How long starting (or reloading onto) a new store waits for it to connect: a Redis next to the
     * gateway answers within milliseconds, a cold JVM's first connection takes up to a second or two.
     */
    static final Duration STORE_READY_WAIT = Duration.ofSeconds(3);

    private final BiFunction<RateLimitsConfig.Store, EventLoopGroup, RateLimiter> stores;
    private EventLoopGroup loops;
    private RateLimitsConfig.Store liveSettings;
    private RateLimiter live;
    private RateLimitsConfig.Store nextSettings;
    private RateLimiter next;
    private RateLimitsConfig config = RateLimitsConfig.NONE;
    private Counter requests;
    private Counter limited;

    /**
     * @param stores builds the limiter for a store's settings, on the proxy's event loops when it has a
     *     network client (throws IllegalArgumentException when it cannot)
     */
    public RateLimits(BiFunction<RateLimitsConfig.Store, EventLoopGroup, RateLimiter> stores) {
        this.stores = stores;
    }

    /** The proxy's event loops (null in tests without a proxy). */
    public synchronized void eventLoops(EventLoopGroup loops) {
        this.loops = loops;
    }

    public void registerMetrics(PrometheusRegistry registry) {
        requests = Counter.builder()
                .name("strait_ratelimit_requests_total")
                .help("Requests checked by a route's rate limits, by route and result (allowed, limited, unavailable)")
                .labelNames("route", "result")
                .withoutExemplars()
                .register(registry);
        limited = Counter.builder()
                .name("strait_ratelimit_limited_total")
                .help("Requests refused with 429, by route and the policy that refused them")
                .labelNames("route", "policy")
                .withoutExemplars()
                .register(registry);
    }

    /** Readies the store for {@code c}; the current one is kept when its settings are unchanged. */
    public synchronized void prepare(RateLimitsConfig c, boolean used) {
        dropUncommitted();
        if (!used) {
            next = null;
            nextSettings = null;
        } else if (live != null && c.store().equals(liveSettings)) {
            next = live;
            nextSettings = liveSettings;
        } else {
            try {
                next = stores.apply(c.store(), loops);
                if (!next.store().awaitReady(STORE_READY_WAIT)) {
                    log.warn("rateLimits.store: the {} store at {} is not reachable yet; until it is, fail-open policies use local"
                            + " buckets and fail-closed ones answer 503", c.store().type().name().toLowerCase(java.util.Locale.ROOT),
                            address(c.store().uri()));
                }
            } catch (io.strait.gateway.redis.RedisConnector.AuthenticationFailed e) {
                dropUncommitted();
                throw new IllegalArgumentException("rateLimits.store.uri: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rateLimits.store: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("rateLimits.store: cannot start: " + e.getMessage(), e);
            }
            nextSettings = c.store();
        }
        config = c;
    }

    /** The route's rate-limit filter for the policies of {@code limit} (a rateLimit filter entry). */
    public synchronized RateLimitFilter routeFilter(RouteConfig route, RouteRateLimit limit) {
        if (next == null) throw new IllegalStateException("no rate-limit store prepared");
        List<LimitPolicy> policies = new ArrayList<>();
        for (String name : limit.policies()) {
            RateLimitPolicy p = config.policy(name);
            if (p == null) throw new IllegalStateException("unknown policy " + name); // the loader checked names
            policies.add(LimitPolicy.of(p));
        }
        return new RateLimitFilter(route.name(), policies, next, new RateLimitHeaders(config.ietfHeaders()),
                new RateLimitResults(requests, limited, route.name(), limit.policies()));
    }

    /** The limiter now serving, for metrics (any thread); null when no route is limited. */
    public synchronized RateLimiter current() {
        return live;
    }

    public synchronized void committed() {
        if (live != null && live != next) closeQuietly(live);
        live = next;
        liveSettings = nextSettings;
    }

    /** {@code host:port} of a store's URI, which may carry a password: never logged whole. */
    private static String address(String uri) {
        try {
            java.net.URI u = new java.net.URI(uri);
            return u.getHost() + ":" + u.getPort();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return "its uri";
        }
    }

    /** A configuration prepared but never applied leaves a store nobody uses. */
    private void dropUncommitted() {
        if (next != null && next != live) closeQuietly(next);
        next = live;
        nextSettings = liveSettings;
    }

    @Override
    public synchronized void close() {
        dropUncommitted();
        if (live != null) closeQuietly(live);
        live = next = null;
    }

    private static void closeQuietly(RateLimiter l) {
        try {
            l.close();
        } catch (RuntimeException e) {
            log.warn("closing a rate-limit store failed: {}", e.toString());
        }
    }
}
