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
 */
public record RouteConfig(
        String name,
        RouteMatch match,
        String cluster,
        Rewrite rewrite,
        Duration timeout,
        Long maxRequestBodySize,
        RouteAuth auth,
        List<String> rateLimit) {

    /** A route without an auth policy. */
    public RouteConfig(String name, RouteMatch match, String cluster, Rewrite rewrite, Duration timeout, Long maxRequestBodySize) {
        this(name, match, cluster, rewrite, timeout, maxRequestBodySize, RouteAuth.NONE, List.of());
    }

    /** A route without rate limits. */
    public RouteConfig(String name, RouteMatch match, String cluster, Rewrite rewrite, Duration timeout,
            Long maxRequestBodySize, RouteAuth auth) {
        this(name, match, cluster, rewrite, timeout, maxRequestBodySize, auth, List.of());
    }

    /** Rewrites applied before forwarding: the matched path prefix (or exact path), and the Host header. */
    public record Rewrite(String prefix, String host) {}
}
