package io.strait.config.model;

import java.time.Duration;

/**
 * A route: which requests it takes and where they go.
 *
 * @param timeout time from the request's arrival to the upstream response's headers, 0 for none; 504
 * @param maxRequestBodySize overrides the listener's limit when not null
 * @param auth who may call the route ({@link RouteAuth#NONE}: anyone)
 */
public record RouteConfig(
        String name,
        RouteMatch match,
        String cluster,
        Rewrite rewrite,
        Duration timeout,
        Long maxRequestBodySize,
        RouteAuth auth) {

    /** A route without an auth policy. */
    public RouteConfig(String name, RouteMatch match, String cluster, Rewrite rewrite, Duration timeout, Long maxRequestBodySize) {
        this(name, match, cluster, rewrite, timeout, maxRequestBodySize, RouteAuth.NONE);
    }

    /** Rewrites applied before forwarding: the matched path prefix (or exact path), and the Host header. */
    public record Rewrite(String prefix, String host) {}
}
