package io.strait.config.model;

import java.util.List;

/**
 * The {@code rateLimit} filter's settings: the rate-limit policies ({@code rateLimits.policies}) every
 * request is charged to; all of them must allow it.
 */
public record RouteRateLimit(List<String> policies) implements FilterConfig {
    public RouteRateLimit {
        policies = List.copyOf(policies);
    }
}
