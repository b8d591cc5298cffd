package io.strait.proxy.cluster;

import io.netty.channel.EventLoopGroup;
import io.strait.config.model.ClusterConfig;
import io.strait.proxy.tls.CertificateSources;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clusters of one config generation. On reload the new manager is built with the old one, so
 * that clusters of the same name carry over their endpoints' health; the caller swaps managers and
 * then closes the old one.
 */
public final class ClusterManager implements AutoCloseable {
    private final Map<String, Cluster> clusters;

    private ClusterManager(Map<String, Cluster> clusters) {
        this.clusters = Collections.unmodifiableMap(clusters);
    }

    /**
     * @param localZone the zone this process runs in, may be null
     * @param previous the manager of the generation being replaced, or null
     */
    public static ClusterManager create(Map<String, ClusterConfig> clusters, String localZone, EventLoopGroup group,
                                        ClusterManager previous) {
        return create(clusters, localZone, group, previous, new CertificateSources());
    }

    /**
     * As {@link #create(Map, String, EventLoopGroup, ClusterManager)}, with certificate sources set by code
     * for some clusters; reads TLS files, so never on an event loop.
     *
     * @throws IllegalArgumentException when a cluster's TLS files cannot be used (the message names the file)
     */
    public static ClusterManager create(Map<String, ClusterConfig> clusters, String localZone, EventLoopGroup group,
                                        ClusterManager previous, CertificateSources certificates) {
        Map<String, Cluster> built = new LinkedHashMap<>();
        try {
            clusters.forEach((name, config) -> built.put(name, new Cluster(config, localZone, group,
                    previous == null ? null : previous.get(name), certificates.forCluster(name))));
        } catch (RuntimeException e) {
            built.values().forEach(Cluster::close);
            throw e;
        }
        return new ClusterManager(built);
    }

    /** The named cluster, or null. */
    public Cluster get(String name) {
        return clusters.get(name);
    }

    public Collection<Cluster> all() {
        return clusters.values();
    }

    /** Starts every cluster's DNS resolution and health checks. */
    public void start() {
        clusters.values().forEach(Cluster::start);
    }

    @Override
    public void close() {
        clusters.values().forEach(Cluster::close);
    }
}
