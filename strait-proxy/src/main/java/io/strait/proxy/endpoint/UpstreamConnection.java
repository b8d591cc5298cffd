package io.strait.proxy.endpoint;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.tls.UpstreamTlsException;
import java.io.IOException;
import javax.net.ssl.SSLException;

/**
 * One HTTP/1.1 connection to an endpoint, serving one exchange at a time. It reads with auto-read
 * on and passes each message to the attached {@link UpstreamListener}; the listener turns auto-read
 * off while the downstream cannot take more (response backpressure).
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private final LoopPool pool;
    private Channel channel;
    private UpstreamListener listener;
    private int requests;
    long idleSinceNanos;
    boolean inUse;
    /** Where this connection is counted against maxConnections (released once when it closes), or null. */
    ClusterResilience gate;
    private boolean detached;

    UpstreamConnection(LoopPool pool) {
        this.pool = pool;
    }

    /** Gives back this connection's place under the cluster's maxConnections; idempotent. */
    void releaseGate() {
        ClusterResilience g = gate;
        gate = null;
        if (g != null) g.connectionClosed();
    }

    public Channel channel() {
        return channel;
    }

    /** The endpoint as {@code host:port}. */
    public String endpointId() {
        return pool.endpointId();
    }

    public void attach(UpstreamListener l) {
        this.listener = l;
        requests++;
    }

    public ChannelFuture write(Object msg) {
        return channel.write(msg);
    }

    public ChannelFuture writeAndFlush(Object msg) {
        return channel.writeAndFlush(msg);
    }

    public boolean isWritable() {
        return channel.isWritable();
    }

    public void autoRead(boolean on) {
        channel.config().setAutoRead(on);
    }

    /** The exchange is over and the connection is clean (both messages complete, keep-alive): pool it. */
    public void release() {
        listener = null;
        channel.config().setAutoRead(true);
        pool.release(this, requests);
    }

    /** The exchange is over but the connection cannot be reused (aborted, not keep-alive, upgraded away). */
    public void discard() {
        listener = null;
        channel.close();
    }

    /** Hands the connection over for a tunnel (WebSocket): it leaves the pool's accounting when it closes. */
    public void detach() {
        listener = null;
        detached = true;
        channel.closeFuture().addListener(f -> pool.closed(this));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l == null) {
            // Bytes nobody asked for (a response to no request): the connection is out of sync.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        l.onUpstreamMessage(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) l.onUpstreamReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!detached) pool.closed(this);
        UpstreamListener l = listener;
        listener = null;
        if (l != null) l.onUpstreamClosed(new IOException("upstream connection closed"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener l = listener;
        listener = null;
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            // a TLS alert after the handshake: with TLS 1.3 a server refuses a client certificate only then
            cause = new UpstreamTlsException("TLS to " + endpointId() + ": the server ended the connection: " + tls.getMessage(), tls);
        }
        if (l != null) l.onUpstreamClosed(cause);
        ctx.close();
    }
}
