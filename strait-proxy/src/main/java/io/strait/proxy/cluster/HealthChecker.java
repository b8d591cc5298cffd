package io.strait.proxy.cluster;

import io.strait.proxy.transport.Transport;

import io.netty.channel.EventLoopGroup;
import io.strait.config.model.HealthCheckConfig;
import io.strait.proxy.tls.UpstreamTls;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The active health checks of one cluster: one {@link HealthProbe} per endpoint, each on an event
 * loop of the group, with its own connections (never the proxy's request pool).
 */
final class HealthChecker implements AutoCloseable {
    private final String cluster;
    private final HealthCheckConfig config;
    private final EventLoopGroup group;
    private final Transport transport;
    private final UpstreamTls tls;
    private final Map<Endpoint, HealthProbe> probes = new HashMap<>();
    private boolean closed;

    HealthChecker(String cluster, HealthCheckConfig config, EventLoopGroup group, Transport transport, UpstreamTls tls) {
        this.tls = tls;
        this.cluster = cluster;
        this.config = config;
        this.group = group;
        this.transport = transport;
    }

    /** Starts probing endpoints that are new in {@code endpoints} and stops probing those gone from it. */
    synchronized void sync(List<Endpoint> endpoints) {
        if (closed) return;
        Set<Endpoint> wanted = new HashSet<>(endpoints);
        probes.entrySet().removeIf(e -> {
            if (wanted.contains(e.getKey())) return false;
            e.getValue().stop();
            return true;
        });
        for (Endpoint endpoint : endpoints) {
            if (!probes.containsKey(endpoint)) {
                HealthProbe probe = new HealthProbe(cluster, endpoint, config, group.next(), transport, tls);
                probes.put(endpoint, probe);
                probe.start();
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        probes.values().forEach(HealthProbe::stop);
        probes.clear();
    }
}
