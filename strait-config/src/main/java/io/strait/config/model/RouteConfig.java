package io.strait.config.model;

import java.time.Duration;
import java.util.List;

/**
 * A route: which requests it takes and where they go.
 *
 * @param timeout time from the request's arrival to the upstream response's headers, 0 for none; 504
 * @param maxRequestBodySize overrides the listener's limit when not null
 * @param auth who may call the route ({@link RouteAuth#NONE}: anyone)
 * @param rateLimit names of the rate-limit policies every request of the route is charged to (all must allow it)
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
        RouteAuth auth,
        List<String> rateLimit,
        RetryPolicy retries,
        Duration idleTimeout,
        boolean timeoutHeader,
        TrafficPolicy traffic) {

    /** A route without an auth policy. */
    public RouteConfig(String name, RouteMatch match, String cluster, Rewrite rewrite, Duration timeout, Long maxRequestBodySize) {
        this(name, match, cluster, rewrite, timeout, maxRequestBodySize, RouteAuth.NONE, List.of(), RetryPolicy.DEFAULT,
                null, false, TrafficPolicy.NONE);
    }

    /** A route without rate limits. */
    public RouteConfig(String name, RouteMatch match, String cluster, Rewrite rewrite, Duration timeout,
            Long maxRequestBodySize, RouteAuth auth) {
        this(name, match, cluster, rewrite, timeout, maxRequestBodySize, auth, List.of(), RetryPolicy.DEFAULT, null, false,
                TrafficPolicy.NONE);
    }

    /** Rewrites applied before forwarding: the matched path prefix (or exact path), and the Host header. */
    public record Rewrite(String prefix, String host) {}
}
