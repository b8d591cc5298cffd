package io.strait.mesh.telemetry;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A sidecar's mesh telemetry, kept across config reloads: {@code strait_mesh_requests_total} and
 * {@code strait_mesh_request_duration_seconds} with Istio's standard labels, and the inbound's edges for the report
 * to the control plane.
 */
public final class MeshMetrics {
    /** Istio's standard labels, in Istio's order. */
    static final String[] LABELS = {"reporter", "source_workload", "source_namespace", "source_principal", "destination_workload",
        "destination_namespace", "destination_principal", "destination_service", "response_code", "connection_security_policy"};
    /** Istio's {@code connection_security_policy} values. */
    static final String MUTUAL_TLS = "mutual_tls";
    static final String NONE = "none";

    private final Counter requests = Counter.builder()
            .name("strait_mesh_requests_total")
            .help("Calls through the mesh, with Istio's standard labels (reporter source: the caller's sidecar; destination: the callee's)")
            .labelNames(LABELS)
            .build();
    private final Histogram duration = Histogram.builder()
            .name("strait_mesh_request_duration_seconds")
            .help("Time from a call's arrival at the sidecar to its response head, with Istio's standard labels")
            .labelNames(LABELS)
            .classicOnly()
            .classicUpperBounds(LatencyBuckets.boundsSeconds())
            .withoutExemplars()
            .build();
    private final InboundEdges inbound = new InboundEdges();

    public void register(PrometheusRegistry registry) {
        registry.register(requests);
        registry.register(duration);
    }

    Counter requests() {
        return requests;
    }

    Histogram duration() {
        return duration;
    }

    /** The inbound's calls per caller since the last drain (the control plane's report). */
    public InboundEdges inbound() {
        return inbound;
    }
}
