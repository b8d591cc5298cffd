package io.strait.config.model;

import java.time.Duration;
import java.util.List;

/**
 * A route: which requests it takes and where they go.
 *
 * @param timeout time from the request's arrival to the upstream response's headers, 0 for none; 504
 * @param maxRequestBodySize overrides the listener's limit when not null
 * @param filters the route's filters in the order they run (its short forms {@code auth:} and {@code rateLimit:}
 *     included); responses pass them in reverse
 * @param retries when failed attempts are retried ({@link RetryPolicy#DEFAULT} without a {@code retries} block)
 * @param idleTimeout once the response has started, the longest pause between two of its chunks before the
 *     exchange is cut; null for none
 * @param timeoutHeader whether the upstream is told, in {@code X-Strait-Timeout-Ms}, how many milliseconds
 *     the attempt has left, so it can give up early
 * @param traffic subsets, splits, mirroring and fault injection ({@link TrafficPolicy#NONE} for none)
 */
public record RouteConfig(
        String name,
        RouteMatch match,
        String cluster,
        Rewrite rewrite,
        Duration timeout,
        Long maxRequestBodySize,
        List<FilterSpec> filters,
        RetryPolicy retries,
        Duration idleTimeout,
        boolean timeoutHeader,
        TrafficPolicy traffic) {

    /** A route without an auth policy. */
    public RouteConfig(String name, RouteMatch match, String cluster, Rewrite rewrite, Duration timeout, Long maxRequestBodySize) {
        this(name, match, cluster, rewrite, timeout, maxRequestBodySize, List.of(), RetryPolicy.DEFAULT,
                null, false, TrafficPolicy.NONE);
    }

    public RouteConfig {
        filters = List.copyOf(filters);
    }

    /** The settings of the route's first filter named {@code name}, or null. */
    public FilterConfig filter(String name) {
        for (FilterSpec f : filters) {
            if (f.name().equals(name)) return f.config();
        }
        return null;
    }

    /** The route's auth policy (its {@code auth} filter), {@link RouteAuth#NONE} without one. */
    public RouteAuth auth() {
        return filter("auth") instanceof RouteAuth a ? a : RouteAuth.NONE;
    }

    /** The rate-limit policies of the route's {@code rateLimit} filter, empty without one. */
    public List<String> rateLimit() {
        return filter("rateLimit") instanceof RouteRateLimit r ? r.policies() : List.of();
    }

    /** Rewrites applied before forwarding: the matched path prefix (or exact path), and the Host header. */
    public record Rewrite(String prefix, String host) {}
}
