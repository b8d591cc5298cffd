package io.strait.mesh.telemetry;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import java.util.Map;

/**
 * Reads {@code - meshMetrics: {reporter: destination|source, workload: W, namespace: N, principal: P, service: S,
 * peer: {workload, namespace, principal}, workloads: {PRINCIPAL: W}}} (made by the sidecar).
 */
final class MeshMetricsReader implements FilterReader<MeshMetricsConfig> {
    @Override
    public String name() {
        return MeshMetricsFactory.NAME;
    }

    @Override
    public MeshMetricsConfig read(Node entry, String field, FilterReadContext context) {
        Node n = entry.object(field);
        if (n == null) return null;
        int before = n.errors().size();
        String reporter = n.requiredString("reporter");
        MeshMetricsConfig.Party local = party(n);
        String service = n.string("service", MeshMetricsConfig.UNKNOWN);
        MeshMetricsConfig.Party peer = MeshMetricsConfig.Party.UNKNOWN;
        if (n.present("peer")) {
            Node p = n.object("peer");
            if (p != null) {
                peer = party(p);
                p.finish();
            }
        }
        Map<String, String> workloads = n.stringMap("workloads");
        n.finish();
        if (reporter != null && !reporter.equals(MeshMetricsConfig.SOURCE) && !reporter.equals(MeshMetricsConfig.DESTINATION)) {
            n.error("reporter", "must be source or destination (was '" + reporter + "')");
        }
        return n.errors().size() == before ? new MeshMetricsConfig(reporter, local, peer, service, workloads) : null;
    }

    private static MeshMetricsConfig.Party party(Node n) {
        return new MeshMetricsConfig.Party(n.string("workload", MeshMetricsConfig.UNKNOWN), n.string("namespace", MeshMetricsConfig.UNKNOWN),
                n.string("principal", MeshMetricsConfig.UNKNOWN));
    }
}
