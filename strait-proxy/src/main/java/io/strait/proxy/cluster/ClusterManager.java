package io.strait.proxy.cluster;

import io.netty.channel.EventLoopGroup;
import io.strait.config.model.ClusterConfig;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** STUB until the cluster branch merges. */
public final class ClusterManager implements AutoCloseable {
    private final Map<String, Cluster> clusters;
    private ClusterManager(Map<String, Cluster> c) { this.clusters = c; }
    public static ClusterManager create(Map<String, ClusterConfig> configs, String localZone, EventLoopGroup group, ClusterManager previous) {
        Map<String, Cluster> m = new LinkedHashMap<>();
        configs.forEach((n, c) -> m.put(n, new Cluster(c, localZone, group, previous == null ? null : previous.get(n))));
        return new ClusterManager(m);
    }
    public Cluster get(String name) { return clusters.get(name); }
    public Collection<Cluster> all() { return clusters.values(); }
    public void start() { clusters.values().forEach(Cluster::start); }
    @Override public void close() { clusters.values().forEach(Cluster::close); }
}
