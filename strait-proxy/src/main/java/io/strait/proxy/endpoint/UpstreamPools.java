package io.strait.proxy.endpoint;

import io.strait.config.model.ClusterConfig;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.transport.Transport;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/** Every endpoint pool of the process, by endpoint address; shared by all config generations. */
public final class UpstreamPools implements AutoCloseable {
    private final Transport transport;
    private final int loops;
    private final ConcurrentHashMap<String, EndpointPool> pools = new ConcurrentHashMap<>();

    public UpstreamPools(Transport transport, int loops) {
        this.transport = transport;
        this.loops = loops;
    }

    /**
     * The pool for an endpoint and protocol, created on first use; settings follow the newest
     * configuration. HTTP/1.1 and HTTP/2 pools to the same address are separate.
     */
    public EndpointPool pool(Endpoint endpoint, ClusterConfig cluster) {
        boolean h2 = cluster.protocol() == ClusterConfig.UpstreamProtocol.H2C;
        String key = h2 ? "h2c:" + endpoint.id() : endpoint.id();
        EndpointPool p = pools.get(key);
        if (p == null) {
            p = pools.computeIfAbsent(key, k -> new EndpointPool(endpoint.id(), endpoint.address(), transport, loops, cluster.pool(), h2));
        }
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
