package io.strait.proxy.endpoint;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.strait.proxy.resilience.ClusterResilience;
import java.util.ArrayDeque;

/**
 * HTTP/2 (cleartext with prior knowledge, or over TLS with ALPN h2) to one endpoint from one event loop: a single connection
 * multiplexes every exchange as its own stream. Each stream gets the same {@link UpstreamConnection}
 * handler as an HTTP/1.1 connection behind Netty's frame-to-HttpObject codec, so the exchange does
 * not know the difference. Requests wait (bounded by maxPendingRequests) while the connection is
 * being set up or the peer's stream limit is reached. The single connection counts against the
 * cluster's maxConnections but is opened even past it (the pool has no other), as Envoy does;
 * waiting requests count against the cluster's maxPendingRequests.
 */
final class Http2LoopPool implements LoopPool {
    /** Our receive window per stream: big enough to keep a fast upstream busy, small enough to bound memory. */
    private static final int INITIAL_WINDOW = 1024 * 1024;
    /** Largest response header block accepted from an upstream. */
    private static final long MAX_HEADER_LIST = 64 * 1024;

    private final EndpointPool endpoint;
    private final EventLoop loop;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private Channel parent;
    private Http2FrameCodec codec;
    private boolean connecting;
    private int active;

    Http2LoopPool(EndpointPool endpoint, EventLoop loop) {
        this.endpoint = endpoint;
        this.loop = loop;
    }

    @Override
    public String endpointId() {
        return endpoint.id();
    }

    @Override
    public int idleCount() {
        return parent != null && parent.isActive() && active == 0 ? 1 : 0;
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
        if (parent != null && parent.isActive() && codec.connection().local().canOpenStream()) {
            openStream(cb);
        } else if (waiting.size() < Math.max(1, endpoint.config().maxPendingRequests()) && endpoint.resilience().tryPending()) {
            waiting.addLast(new Waiter(cb, endpoint.resilience()));
            if (parent == null || !parent.isActive()) connect();
        } else {
            cb.onAcquireFailed(new PoolOverflowException(endpoint.id()));
        }
    }

    private void connect() {
        if (connecting) return;
        connecting = true;
        ClusterResilience gate = endpoint.resilience();
        if (!gate.tryConnection()) gate.forceConnection(); // the overflow is counted; this loop has no other connection
        Http2FrameCodec frameCodec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings()
                        .pushEnabled(false)
                        .initialWindowSize(INITIAL_WINDOW)
                        .maxHeaderListSize(MAX_HEADER_LIST))
                .validateHeaders(true)
                .build();
        Bootstrap b = endpoint.bootstrap(loop)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        endpoint.addTls(ch);
                        // over TLS, HTTP/2 starts (with its preface) only once the server chose it by ALPN
                        if (!endpoint.tls()) addHttp2(ch, frameCodec);
                    }
                });
        ChannelFuture f = b.connect(endpoint.address());
        f.addListener(done -> {
            if (!done.isSuccess()) {
                connecting = false;
                gate.connectionClosed();
                failWaiting(done.cause());
                return;
            }
            endpoint.ready(f.channel()).addListener(ready -> {
                connecting = false;
                if (!ready.isSuccess()) {
                    f.channel().close();
                    gate.connectionClosed();
                    failWaiting(ready.cause());
                    return;
                }
                if (endpoint.tls()) addHttp2(f.channel(), frameCodec);
                connected(f.channel(), frameCodec, gate);
            });
        });
    }

    private static void addHttp2(Channel ch, Http2FrameCodec frameCodec) {
        ch.pipeline().addLast("h2", frameCodec);
        // Streams are only ever opened by us; a pushed or unexpected inbound stream is refused.
        ch.pipeline().addLast("mux", new Http2MultiplexHandler(new Refuse()));
    }

    /** The connection is ready (connected, and over TLS its handshake done): waiting requests get their streams. */
    private void connected(Channel ch, Http2FrameCodec frameCodec, ClusterResilience gate) {
        parent = ch;
        codec = frameCodec;
        parent.closeFuture().addListener(c -> {
            gate.connectionClosed();
            if (parent == ch) parent = null;
        });
        drainWaiting();
    }

    private void openStream(PoolCallback cb) {
        UpstreamConnection conn = new UpstreamConnection(this);
        active++;
        new Http2StreamChannelBootstrap(parent)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(false, true));
                        ch.pipeline().addLast("check", new Http2ResponseCheck());
                        ch.pipeline().addLast("conn", conn);
                    }
                })
                .open()
                .addListener(done -> {
                    if (done.isSuccess()) {
                        conn.inUse = true;
                        cb.onAcquired(conn);
                    } else {
                        active--;
                        cb.onAcquireFailed(done.cause());
                    }
                });
    }

    private void drainWaiting() {
        Waiter next;
        while (parent != null && parent.isActive() && codec.connection().local().canOpenStream()
                && (next = waiting.pollFirst()) != null) {
            openStream(next.leave());
        }
    }

    private void failWaiting(Throwable cause) {
        Waiter next;
        while ((next = waiting.pollFirst()) != null) next.leave().onAcquireFailed(cause);
    }

    /** A stream's exchange is over: the stream is finished, so it simply closes. */
    @Override
    public void release(UpstreamConnection c, int requestsServed) {
        c.channel().close();
    }

    @Override
    public void closed(UpstreamConnection c) {
        if (c.inUse) {
            c.inUse = false;
            active--;
        }
        drainWaiting();
    }

    @Override
    public void closeIdle() {
        if (parent != null && active == 0) parent.close();
    }

    private static final class Refuse extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }
}
