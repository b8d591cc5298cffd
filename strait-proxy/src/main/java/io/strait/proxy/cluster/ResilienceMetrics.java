package io.strait.proxy.cluster;

import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.resilience.FailureRateBreaker;
import io.strait.proxy.resilience.Overflow;
import java.util.function.Supplier;

/**
 * The circuit-breaker and outlier-detection metrics, read from whatever clusters are current at
 * scrape time (so a reload has nothing to re-register):
 * <ul>
 *   <li>{@code strait_circuit_breaker_state{cluster,state}}: 1 for the failure-rate breaker's state, 0 for the others
 *   <li>{@code strait_circuit_breaker_transitions_total{cluster,from,to}}
 *   <li>{@code strait_cluster_overflow_total{cluster,kind}}: kind is an {@link Overflow#label()}
 *   <li>{@code strait_outlier_ejections_total{cluster}}
 *   <li>{@code strait_endpoint_ejected{cluster,endpoint}}: 1 while ejected
 * </ul>
 * Breaker series exist only for clusters with a failure-rate breaker, ejection series only for
 * clusters with outlier detection; overflow series exist for every cluster.
 */
public final class ResilienceMetrics {
    public static final String BREAKER_STATE = "strait_circuit_breaker_state";
    public static final String BREAKER_TRANSITIONS = "strait_circuit_breaker_transitions_total";
    public static final String OVERFLOWS = "strait_cluster_overflow_total";
    public static final String EJECTIONS = "strait_outlier_ejections_total";
    public static final String ENDPOINT_EJECTED = "strait_endpoint_ejected";

    private static final FailureRateBreaker.State[] STATES = FailureRateBreaker.State.values();
    /** The transitions the state machine can make. */
    private static final FailureRateBreaker.State[][] TRANSITIONS = {
        {FailureRateBreaker.State.CLOSED, FailureRateBreaker.State.OPEN},
        {FailureRateBreaker.State.OPEN, FailureRateBreaker.State.HALF_OPEN},
        {FailureRateBreaker.State.HALF_OPEN, FailureRateBreaker.State.CLOSED},
        {FailureRateBreaker.State.HALF_OPEN, FailureRateBreaker.State.OPEN},
    };
    /** The key this class registers its sources under (one registration per family). */
    private static final String KEY = "clusters";

    private ResilienceMetrics() {}

    /** Registers the sources; {@code clusters} gives the current generation's clusters at each scrape. */
    public static void register(ProxyMetrics metrics, Supplier<ClusterManager> clusters) {
        metrics.gauge(BREAKER_STATE, "1 for the failure-rate circuit breaker's current state, 0 for the others",
                "cluster", "state").register(KEY, sink -> {
            for (Cluster c : clusters.get().all()) {
                FailureRateBreaker b = c.resilience().breaker();
                if (b == null) continue;
                FailureRateBreaker.State now = b.state();
                for (FailureRateBreaker.State s : STATES) sink.sample(s == now ? 1 : 0, c.name(), label(s));
            }
        });
        metrics.callbackCounter(BREAKER_TRANSITIONS, "Failure-rate circuit breaker state changes",
                "cluster", "from", "to").register(KEY, sink -> {
            for (Cluster c : clusters.get().all()) {
                FailureRateBreaker b = c.resilience().breaker();
                if (b == null) continue;
                for (FailureRateBreaker.State[] t : TRANSITIONS) {
                    sink.sample(b.transitions(t[0], t[1]), c.name(), label(t[0]), label(t[1]));
                }
            }
        });
        metrics.callbackCounter(OVERFLOWS, "Requests, retries and connections a cluster's circuit breakers turned away, by kind",
                "cluster", "kind").register(KEY, sink -> {
            for (Cluster c : clusters.get().all()) {
                for (Overflow o : Overflow.values()) sink.sample(c.resilience().overflows(o), c.name(), o.label());
            }
        });
        metrics.callbackCounter(EJECTIONS, "Endpoints ejected by outlier detection", "cluster").register(KEY, sink -> {
            for (Cluster c : clusters.get().all()) {
                if (c.resilience().detectsOutliers()) sink.sample(c.resilience().ejectionsTotal(), c.name());
            }
        });
        metrics.gauge(ENDPOINT_EJECTED, "1 while outlier detection keeps the endpoint out of load balancing, else 0",
                "cluster", "endpoint").register(KEY, sink -> {
            for (Cluster c : clusters.get().all()) {
                if (!c.resilience().detectsOutliers()) continue;
                for (Endpoint e : c.endpoints()) sink.sample(e.ejected() ? 1 : 0, c.name(), e.id());
            }
        });
    }

    private static String label(FailureRateBreaker.State s) {
        return s.label();
    }
}
