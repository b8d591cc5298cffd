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
    /** The pool of each cluster and endpoint with the newest TLS settings: the one it replaced is closed. */
    private final ConcurrentHashMap<String, EndpointPool> newest = new ConcurrentHashMap<>();

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
        String key = key(cluster.name(), h2, tls == null ? 0 : tls.id(), endpoint.id());
        EndpointPool p = pools.get(key);
        if (p == null) {
            p = pools.computeIfAbsent(key, k -> new EndpointPool(endpoint.id(), endpoint.address(), transport, loops,
                    cluster.pool(), h2, tls, endpoint.hostname()));
            retireOlderTls(cluster.name() + "|" + endpoint.id(), p, cluster.name());
        }
        p.resilience(endpoint.resilience()); // a new Endpoint object: maybe a new cluster generation
        endpoint.poolAttachment(p);
        return p;
    }

    /**
     * Connections made with the TLS settings before a reload serve no new request: the older pool closes
     * its idle connections now and the others once released. TLS ids only grow, so a pool created late
     * for an older generation (a request in flight across the reload) never retires a newer one.
     */
    private void retireOlderTls(String clusterEndpoint, EndpointPool p, String cluster) {
        EndpointPool[] retired = new EndpointPool[1];
        newest.merge(clusterEndpoint, p, (old, fresh) -> {
            if (fresh.tlsId() <= old.tlsId()) return old;
            retired[0] = old;
            return fresh;
        });
        EndpointPool old = retired[0];
        if (old != null && pools.remove(keyOf(old, cluster), old)) old.close();
    }

    private static String key(String cluster, boolean h2, long tlsId, String endpoint) {
        return cluster + (h2 ? "|h2|" : "|") + (tlsId == 0 ? "" : "tls" + tlsId + "|") + endpoint;
    }

    private static String keyOf(EndpointPool p, String cluster) {
        return key(cluster, p.http2(), p.tlsId(), p.id());
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
