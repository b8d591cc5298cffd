package io.strait.gateway.ratelimit;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One route's rate-limit counters, resolved once per configuration: {@code strait_ratelimit_requests_total}
 * by result, and {@code strait_ratelimit_limited_total} by the policy that refused.
 */
final class RateLimitResults {
    /** Counters for nobody: for filters built without a registry (tests). */
    private static final Counter UNREGISTERED_REQUESTS = Counter.builder().name("strait_ratelimit_requests")
            .labelNames("route", "result").build();
    private static final Counter UNREGISTERED_LIMITED = Counter.builder().name("strait_ratelimit_limited")
            .labelNames("route", "policy").build();

    final CounterDataPoint allowed;
    final CounterDataPoint unavailable;
    private final CounterDataPoint refused;
    private final Map<String, CounterDataPoint> limited = new HashMap<>();

    RateLimitResults(Counter requests, Counter limitedByPolicy, String route, List<String> policies) {
        Counter r = requests == null ? UNREGISTERED_REQUESTS : requests;
        Counter l = limitedByPolicy == null ? UNREGISTERED_LIMITED : limitedByPolicy;
        allowed = r.labelValues(route, "allowed");
        unavailable = r.labelValues(route, "unavailable");
        refused = r.labelValues(route, "limited");
        for (String p : policies) limited.put(p, l.labelValues(route, p));
    }

    void limited(String policy) {
        refused.inc();
        CounterDataPoint p = limited.get(policy);
        if (p != null) p.inc();
    }
}
