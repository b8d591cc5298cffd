package io.strait.proxy.endpoint;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.strait.config.model.PoolConfig;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.transport.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All connections from this process to one endpoint: one {@link LoopPool} per event loop. The
 * pool outlives configuration reloads (it is keyed by address), so a reload keeps warm connections.
 * Besides its own per-endpoint limits it asks its cluster's {@link ClusterResilience} (the newest
 * generation's) before opening a connection or queueing a request (cluster-wide circuit breakers).
 */
public final class EndpointPool {
    private final String id;
    private final InetSocketAddress address;
    private final Transport transport;
    private final int loops;
    private final boolean http2;
    private final ConcurrentHashMap<EventLoop, LoopPool> perLoop = new ConcurrentHashMap<>();
    /** Limits nothing: for a pool whose endpoint belongs to no cluster (tests). */
    private static final ClusterResilience UNLIMITED = ClusterResilience.unlimited("");

    private volatile PoolConfig config;
    private volatile ClusterResilience resilience = UNLIMITED;
    private volatile boolean closed;

    EndpointPool(String id, InetSocketAddress address, Transport transport, int loops, PoolConfig config, boolean http2) {
        this.id = id;
        this.http2 = http2;
        this.address = address;
        this.transport = transport;
        this.loops = loops;
        this.config = config;
    }

    public String id() {
        return id;
    }

    InetSocketAddress address() {
        return address;
    }

    Transport transport() {
        return transport;
    }

    PoolConfig config() {
        return config;
    }

    void config(PoolConfig c) {
        this.config = c;
    }

    /** The cluster-wide limits of the newest generation of this pool's cluster. */
    ClusterResilience resilience() {
        return resilience;
    }

    void resilience(ClusterResilience r) {
        if (r != null) this.resilience = r;
    }

    boolean closed() {
        return closed;
    }

    /** A client bootstrap for a new connection to this endpoint on {@code loop}; the caller adds the handler. */
    Bootstrap bootstrap(EventLoop loop) {
        return new Bootstrap()
                .group(loop)
                .channel(transport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
    }

    /** maxConnections is per process; each loop gets its share (at least one). */
    int perLoopLimit() {
        return Math.max(1, (config.maxConnections() + loops - 1) / loops);
    }

    /** Must be called on {@code loop}. */
    public void acquire(EventLoop loop, PoolCallback cb) {
        LoopPool p = perLoop.get(loop);
        if (p == null) p = perLoop.computeIfAbsent(loop, l -> http2 ? new Http2LoopPool(this, l) : new Http1LoopPool(this, l));
        p.acquire(cb);
    }

    /** Connections in use and idle, summed over loops (approximate: read across threads for metrics). */
    public int activeConnections() {
        int n = 0;
        for (LoopPool p : perLoop.values()) n += p.activeCount();
        return n;
    }

    public int idleConnections() {
        int n = 0;
        for (LoopPool p : perLoop.values()) n += p.idleCount();
        return n;
    }

    public int pendingRequests() {
        int n = 0;
        for (LoopPool p : perLoop.values()) n += p.pendingCount();
        return n;
    }

    void close() {
        closed = true;
        perLoop.forEach((loop, p) -> loop.execute(p::closeIdle));
    }
}
