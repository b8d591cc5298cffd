package io.strait.proxy.endpoint;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.strait.config.model.PoolConfig;
import io.strait.proxy.resilience.ClusterResilience;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 connections to one endpoint from one event loop: one exchange per connection at a time.
 * Past the endpoint's per-loop share of connections, or the cluster's maxConnections, a request
 * waits for a connection to be released (bounded by the endpoint's and the cluster's pending
 * limits, then {@link PoolOverflowException}). A pool with no connection at all may always open
 * one, as Envoy's does, so its waiters are never stranded by other pools' connections.
 */
final class Http1LoopPool implements LoopPool {
    private final EndpointPool endpoint;
    private final EventLoop loop;
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private int open;
    private int connecting;
    private int active;
    private ScheduledFuture<?> reaper;

    Http1LoopPool(EndpointPool endpoint, EventLoop loop) {
        this.endpoint = endpoint;
        this.loop = loop;
    }

    @Override
    public String endpointId() {
        return endpoint.id();
    }

    @Override
    public int idleCount() {
        return idle.size();
    }

    @Override
    public int activeCount() {
        return active;
    }

    @Override
    public int pendingCount() {
        return waiting.size();
    }

    @Override
    public void acquire(PoolCallback cb) {
        UpstreamConnection c;
        while ((c = idle.pollFirst()) != null) {
            if (c.channel().isActive()) {
                c.inUse = true;
                active++;
                cb.onAcquired(c);
                return;
            }
        }
        PoolConfig cfg = endpoint.config();
        ClusterResilience gate = endpoint.resilience();
        if (open < endpoint.perLoopLimit()) {
            if (gate.tryConnection()) {
                connect(cb, gate);
                return;
            }
            if (open == 0) {
                gate.forceConnection();
                connect(cb, gate);
                return;
            }
        }
        if (waiting.size() < cfg.maxPendingRequests() && gate.tryPending()) {
            waiting.addLast(new Waiter(cb, gate));
        } else {
            cb.onAcquireFailed(new PoolOverflowException(endpoint.id()));
        }
    }

    /** Opens a connection already counted in {@code gate}'s connections. */
    private void connect(PoolCallback cb, ClusterResilience gate) {
        open++;
        connecting++;
        ResponseDecoder decoder = new ResponseDecoder();
        UpstreamConnection conn = new UpstreamConnection(this, decoder);
        conn.gate = gate;
        Bootstrap b = endpoint.bootstrap(loop)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        endpoint.addTls(ch);
                        // The decoder checks every byte of the response framing (see docs/http-hardening.md).
                        ch.pipeline().addLast("decoder", decoder);
                        ch.pipeline().addLast("encoder", new HttpRequestEncoder());
                        ch.pipeline().addLast("conn", conn);
                    }
                });
        ChannelFuture f = b.connect(endpoint.address());
        f.addListener(done -> {
            if (done.isSuccess()) {
                endpoint.ready(f.channel()).addListener(ready -> {
                    connecting--;
                    if (ready.isSuccess()) {
                        conn.inUse = true;
                        active++;
                        cb.onAcquired(conn);
                    } else {
                        // the channel's close (closed(conn)) gives back its place and wakes a waiter
                        f.channel().close();
                        cb.onAcquireFailed(ready.cause());
                    }
                });
            } else {
                connecting--;
                open--;
                conn.releaseGate();
                cb.onAcquireFailed(done.cause());
                // Waiters queued behind this attempt must not hang: let the next one try its own connection.
                Waiter next = waiting.pollFirst();
                if (next != null) acquire(next.leave());
            }
        });
    }

    @Override
    public void release(UpstreamConnection c, int requestsServed) {
        c.inUse = false;
        active--;
        int max = endpoint.config().maxRequestsPerConnection();
        if (!c.channel().isActive() || (max > 0 && requestsServed >= max) || endpoint.closed()) {
            c.channel().close();
            return;
        }
        Waiter next = waiting.pollFirst();
        if (next != null) {
            c.inUse = true;
            active++;
            next.leave().onAcquired(c);
            return;
        }
        c.idleSinceNanos = System.nanoTime();
        idle.addFirst(c); // LIFO: the warmest connection is reused first, the coldest ages out.
        scheduleReaper();
    }

    /** A connection closed (by either side): forget it and let a waiter connect anew. */
    @Override
    public void closed(UpstreamConnection c) {
        if (c.channel() == null) return;
        open--;
        c.releaseGate();
        if (c.inUse) {
            c.inUse = false;
            active--;
        } else {
            idle.remove(c);
        }
        Waiter next = waiting.pollFirst();
        if (next != null) acquire(next.leave());
    }

    private void scheduleReaper() {
        if (reaper != null) return;
        long period = Math.max(100, endpoint.config().idleTimeout().toMillis() / 2);
        reaper = loop.schedule(this::reap, period, TimeUnit.MILLISECONDS);
    }

    private void reap() {
        reaper = null;
        long maxIdle = endpoint.config().idleTimeout().toNanos();
        long now = System.nanoTime();
        for (Iterator<UpstreamConnection> it = idle.iterator(); it.hasNext(); ) {
            UpstreamConnection c = it.next();
            if (now - c.idleSinceNanos >= maxIdle || endpoint.closed()) {
                it.remove();
                c.channel().close();
            }
        }
        if (!idle.isEmpty()) scheduleReaper();
    }

    @Override
    public void closeIdle() {
        UpstreamConnection c;
        while ((c = idle.pollFirst()) != null) c.channel().close();
    }
}
