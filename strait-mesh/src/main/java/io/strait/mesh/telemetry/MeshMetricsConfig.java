package io.strait.mesh.telemetry;

import io.strait.config.model.FilterConfig;
import java.util.List;
import java.util.Map;

/**
 * {@code - meshMetrics: {...}}, made by the sidecar: the labels of its calls as Istio's standard metrics write them.
 *
 * <ul>
 *   <li>On the inbound route, {@code reporter: destination}: {@code local} is this workload (the destination),
 *       {@code service} its name ({@code NAME.NS.svc.cluster.local}); the source is the caller's verified SPIFFE ID,
 *       named as the service whose workloads run as it ({@code workloads}), else by its service account.
 *   <li>On an outbound route, {@code reporter: source}: {@code local} is this workload (the source), {@code service}
 *       the called service and {@code peer} its workload, namespace and the identity its certificate must prove
 *       ({@code unknown} when its workloads run as several).
 * </ul>
 *
 * @param workloads the mesh's principals ({@code spiffe://...}) to the service whose workloads run as each, where
 *     exactly one does (inbound only)
 */
public record MeshMetricsConfig(String reporter, Party local, Party peer, String service, Map<String, String> workloads)
        implements FilterConfig {
    /** Istio's {@code reporter} values. */
    public static final String SOURCE = "source";
    public static final String DESTINATION = "destination";
    /** Istio's value for a label nothing tells. */
    public static final String UNKNOWN = "unknown";

    public MeshMetricsConfig {
        peer = peer == null ? Party.UNKNOWN : peer;
        workloads = workloads == null ? Map.of() : Map.copyOf(workloads);
    }

    /** A workload as the labels name it: its workload (service) name, namespace and SPIFFE ID. */
    public record Party(String workload, String namespace, String principal) {
        public static final Party UNKNOWN = new Party(MeshMetricsConfig.UNKNOWN, MeshMetricsConfig.UNKNOWN, MeshMetricsConfig.UNKNOWN);
    }

    public boolean inbound() {
        return DESTINATION.equals(reporter);
    }

    @Override
    public List<Problem> problems() {
        if (!SOURCE.equals(reporter) && !DESTINATION.equals(reporter)) {
            return List.of(new Problem("reporter", "must be source or destination (was '" + reporter + "')"));
        }
        return List.of();
    }
}
