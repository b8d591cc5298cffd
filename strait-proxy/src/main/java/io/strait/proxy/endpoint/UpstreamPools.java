package io.strait.proxy.endpoint;

import io.strait.config.model.ClusterConfig;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.tls.UpstreamTls;
import io.strait.proxy.transport.Transport;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/** Every endpoint pool of the process, by cluster, protocol and endpoint address; shared by all config generations. */
public final class UpstreamPools implements AutoCloseable {
    private final Transport transport;
    private final int loops;
    private final ConcurrentHashMap<String, EndpointPool> pools = new ConcurrentHashMap<>();

    public UpstreamPools(Transport transport, int loops) {
        this.transport = transport;
        this.loops = loops;
    }

    /**
     * The pool for an endpoint of a cluster, created on first use; settings follow the newest
     * configuration. Pools are per cluster and protocol, and outlive reloads that keep them.
     */
    public EndpointPool pool(Endpoint endpoint, ClusterConfig cluster) {
        // An Endpoint object belongs to one cluster of one configuration generation: cache its pool on it.
        if (endpoint.poolAttachment() instanceof EndpointPool cached) return cached;
        boolean h2 = cluster.protocol() != null && cluster.protocol().http2();
        UpstreamTls tls = endpoint.tls();
        // Per cluster: two clusters naming the same address keep their own limits and connections.
        // Per TLS settings too: connections made with other settings (or none) are never handed out.
        String key = cluster.name() + (h2 ? "|h2|" : "|") + (tls == null ? "" : "tls" + tls.id() + "|") + endpoint.id();
        EndpointPool p = pools.get(key);
        if (p == null) {
            p = pools.computeIfAbsent(key, k -> new EndpointPool(endpoint.id(), endpoint.address(), transport, loops,
                    cluster.pool(), h2, tls, endpoint.hostname()));
        }
        p.resilience(endpoint.resilience()); // a new Endpoint object: maybe a new cluster generation
        endpoint.poolAttachment(p);
        return p;
    }

    /** Applies a reloaded cluster's pool settings to its endpoints' pools. */
    public void configure(Endpoint endpoint, ClusterConfig cluster) {
        pool(endpoint, cluster).config(cluster.pool());
    }

    public Collection<EndpointPool> all() {
        return pools.values();
    }

    @Override
    public void close() {
        pools.values().forEach(EndpointPool::close);
    }
}
