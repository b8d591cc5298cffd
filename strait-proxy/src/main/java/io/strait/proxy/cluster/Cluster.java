package io.strait.proxy.cluster;

import io.netty.channel.EventLoopGroup;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.EndpointConfig;
import io.strait.proxy.cluster.lb.LbContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** STUB until the cluster branch merges: static IPs, round-robin. */
public final class Cluster implements AutoCloseable {
    private final ClusterConfig config;
    private final List<Endpoint> endpoints;
    private final AtomicInteger next = new AtomicInteger();
    public Cluster(ClusterConfig config, String localZone, EventLoopGroup group, Cluster previous) {
        this.config = config;
        List<Endpoint> eps = new ArrayList<>();
        for (EndpointConfig e : config.endpoints()) {
            eps.add(new Endpoint(new InetSocketAddress(e.address().host(), e.address().port()), e.zone(), e.labels(), e.weight()));
        }
        this.endpoints = List.copyOf(eps);
    }
    public String name() { return config.name(); }
    public ClusterConfig config() { return config; }
    public List<Endpoint> endpoints() { return endpoints; }
    public Endpoint select(LbContext ctx) {
        return endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
    }
    public void start() {}
    @Override public void close() {}
}
