package io.strait.proxy.cluster;

import io.strait.proxy.cluster.lb.LoadBalancers;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cluster's subsets, created on first request and cached per label map, and told of every change
 * of the cluster's endpoints and their health. Lock order: the cluster's lock, then this.
 */
final class ClusterSubsets {
    private final Cluster cluster;
    private final String localZone;
    private final ClusterSubset whole;
    private final Map<Map<String, String>, ClusterSubset> byLabels = new ConcurrentHashMap<>();
    // guarded by this
    private List<Endpoint> current = List.of();

    ClusterSubsets(Cluster cluster, String localZone) {
        this.cluster = cluster;
        this.localZone = localZone;
        this.whole = new ClusterSubset(cluster);
    }

    ClusterSubset get(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) return whole;
        ClusterSubset s = byLabels.get(labels);
        if (s != null) return s;
        // created under the lock that endpointsChanged holds, so no update can fall between its first list and its registration
        synchronized (this) {
            return byLabels.computeIfAbsent(Map.copyOf(labels),
                    k -> new ClusterSubset(cluster, k, LoadBalancers.create(cluster.config(), localZone), current));
        }
    }

    synchronized void endpointsChanged(List<Endpoint> all) {
        current = all;
        for (ClusterSubset s : byLabels.values()) s.endpointsChanged(all);
    }

    synchronized void healthChanged() {
        for (ClusterSubset s : byLabels.values()) s.healthChanged();
    }
}
