package io.strait.proxy.endpoint;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.strait.config.model.PoolConfig;
import io.netty.util.concurrent.Future;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.tls.UpstreamTls;
import io.strait.proxy.transport.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All connections from this process to one endpoint: one {@link LoopPool} per event loop. The
 * pool outlives configuration reloads (it is keyed by address), so a reload keeps warm connections.
 * Besides its own per-endpoint limits it asks its cluster's {@link ClusterResilience} (the newest
 * generation's) before opening a connection or queueing a request (cluster-wide circuit breakers).
 * Over TLS, a connection's first handler is the cluster's TLS, and it serves no request before its
 * handshake (and the server certificate's check) is done.
 */
public final class EndpointPool {
    private final String id;
    private final InetSocketAddress address;
    private final Transport transport;
    private final int loops;
    private final boolean http2;
    /** TLS to the endpoint, or null: plain TCP. */
    private final UpstreamTls tls;
    /** The DNS name the endpoint was resolved from (the default SNI), or null. */
    private final String hostname;
    private final ConcurrentHashMap<EventLoop, LoopPool> perLoop = new ConcurrentHashMap<>();
    /** Limits nothing: for a pool whose endpoint belongs to no cluster (tests). */
    private static final ClusterResilience UNLIMITED = ClusterResilience.unlimited("");

    private volatile PoolConfig config;
    private volatile ClusterResilience resilience = UNLIMITED;
    private volatile boolean closed;

    EndpointPool(String id, InetSocketAddress address, Transport transport, int loops, PoolConfig config, boolean http2) {
        this(id, address, transport, loops, config, http2, null, null);
    }

    EndpointPool(String id, InetSocketAddress address, Transport transport, int loops, PoolConfig config, boolean http2,
            UpstreamTls tls, String hostname) {
        this.id = id;
        this.tls = tls;
        this.hostname = hostname;
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

    boolean http2() {
        return http2;
    }

    /** The id of the TLS settings the connections use, 0 for plain TCP. */
    long tlsId() {
        return tls == null ? 0 : tls.id();
    }

    /** Whether connections go over TLS. */
    boolean tls() {
        return tls != null;
    }

    /** Adds TLS, when the cluster has it, as a new connection's first handler (in its initializer). */
    void addTls(Channel ch) {
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), hostname, address, config.connectTimeout().toMillis(), false));
        }
    }

    /**
     * Completes when a connected channel can carry requests: at once in plain TCP, after the handshake
     * over TLS; a TLS failure is an {@link io.strait.proxy.tls.UpstreamTlsException} saying why.
     */
    Future<Channel> ready(Channel ch) {
        return tls == null ? ch.eventLoop().newSucceededFuture(ch) : tls.whenReady(ch, id, hostname, false);
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
