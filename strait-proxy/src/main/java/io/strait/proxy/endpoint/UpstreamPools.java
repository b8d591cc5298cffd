package io.strait.proxy.endpoint;

import io.strait.config.model.PoolConfig;
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

    /** The pool for an endpoint, created on first use; settings follow the newest configuration. */
    public EndpointPool pool(Endpoint endpoint, PoolConfig config) {
        EndpointPool p = pools.get(endpoint.id());
        if (p == null) {
            p = pools.computeIfAbsent(endpoint.id(), id -> new EndpointPool(id, endpoint.address(), transport, loops, config));
        }
        return p;
    }

    /** Applies a reloaded cluster's pool settings to its endpoints' pools. */
    public void configure(Endpoint endpoint, PoolConfig config) {
        pool(endpoint, config).config(config);
    }

    public Collection<EndpointPool> all() {
        return pools.values();
    }

    @Override
    public void close() {
        pools.values().forEach(EndpointPool::close);
    }
}
