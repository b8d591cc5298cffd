package io.strait.gateway.auth;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;

/** One route's auth outcome counters ({@code strait_auth_requests_total}), resolved once per configuration. */
public final class AuthResults {
    /** Counts for nobody: for filters built without a registry (tests). */
    private static final Counter UNREGISTERED = Counter.builder().name("strait_auth_requests").labelNames("route", "result").build();

    final CounterDataPoint verified;
    final CounterDataPoint missing;
    final CounterDataPoint invalid;
    final CounterDataPoint insufficientScope;
    final CounterDataPoint unavailable;

    private AuthResults(Counter c, String route) {
        verified = point(c, route, "verified");
        missing = point(c, route, "missing");
        invalid = point(c, route, "invalid");
        insufficientScope = point(c, route, "insufficient_scope");
        unavailable = point(c, route, "unavailable");
    }

    /** The route's counters in {@code counter}; with a null counter (no registry) they count nowhere. */
    public static AuthResults of(Counter counter, String route) {
        return new AuthResults(counter, route);
    }

    private static CounterDataPoint point(Counter c, String route, String result) {
        return (c == null ? UNREGISTERED : c).labelValues(route, result);
    }
}
