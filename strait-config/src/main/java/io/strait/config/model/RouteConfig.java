package io.strait.config.model;

import java.time.Duration;

/**
 * A route: which requests it takes and where they go.
 *
 * @param timeout time from the request's arrival to the upstream response's headers, 0 for none; 504
 * @param maxRequestBodySize overrides the listener's limit when not null
 */
public record RouteConfig(
        String name,
        RouteMatch match,
        String cluster,
        Rewrite rewrite,
        Duration timeout,
        Long maxRequestBodySize) {

    /** Rewrites applied before forwarding: the matched path prefix (or exact path), and the Host header. */
    public record Rewrite(String prefix, String host) {}
}
