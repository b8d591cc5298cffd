package io.strait.proxy.endpoint;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.tls.UpstreamTlsException;
import java.io.IOException;
import javax.net.ssl.SSLException;

/**
 * One HTTP/1.1 connection to an endpoint, serving one exchange at a time. It reads with auto-read
 * on and passes each message to the attached {@link UpstreamListener}; the listener turns auto-read
 * off while the downstream cannot take more (response backpressure).
 *
 * <p>A malformed response (refused by the {@link ResponseDecoder} or by
 * {@link Http2ResponseCheck}) reaches the listener as a message whose {@code decoderResult()} failed: a
 * response head before the response started, its last content after. The connection is then broken: it
 * closes and is never pooled again, whatever the listener does.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private final LoopPool pool;
    /** The response decoder of an HTTP/1.1 connection; null for an HTTP/2 stream. */
    private final ResponseDecoder decoder;
    private Channel channel;
    private UpstreamListener listener;
    private int requests;
    long idleSinceNanos;
    boolean inUse;
    /** Where this connection is counted against maxConnections (released once when it closes), or null. */
    ClusterResilience gate;
    private boolean detached;
    /** A malformed response was seen: the connection's framing cannot be trusted, it must not be reused. */
    private boolean broken;
    /** The current exchange has received its final (non-1xx) response head / its response's end. */
    private boolean finalHead;
    private boolean responseEnded;

    UpstreamConnection(LoopPool pool) {
        this(pool, null);
    }

    UpstreamConnection(LoopPool pool, ResponseDecoder decoder) {
        this.pool = pool;
        this.decoder = decoder;
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
        finalHead = false;
        responseEnded = false;
    }

    public ChannelFuture write(Object msg) {
        if (decoder != null && msg instanceof HttpRequest req) decoder.requestSent(req);
        return channel.write(msg);
    }

    public ChannelFuture writeAndFlush(Object msg) {
        if (decoder != null && msg instanceof HttpRequest req) decoder.requestSent(req);
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
        if (broken) {
            channel.close();
            return;
        }
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
        if (decoder != null && msg instanceof HttpResponse res && res.status().code() == 101 && !decoder.upgradeAsked(res)
                && res.decoderResult().isSuccess()) {
            ReferenceCountUtil.release(msg);
            invalid(ctx, "101 Switching Protocols to a protocol the request did not ask for");
            return;
        }
        if (msg instanceof HttpObject o) {
            if (o.decoderResult().isFailure()) {
                broken = true;
            } else if (msg instanceof HttpResponse res && (res.status().code() >= 200 || res.status().code() == 101)) {
                finalHead = true;
            }
            if (finalHead && msg instanceof LastHttpContent) responseEnded = true;
        }
        l.onUpstreamMessage(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ResponseDecoder.Rejected r) {
            invalid(ctx, r.reason());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The response is malformed: the listener sees a failed head (nothing of the response was passed on
     * yet) or a failed end (the response started), and the connection closes.
     */
    private void invalid(ChannelHandlerContext ctx, String reason) {
        broken = true;
        UpstreamListener l = listener;
        if (l != null && !responseEnded) {
            DecoderResult failure = DecoderResult.failure(new InvalidResponseException(reason));
            HttpObject msg;
            if (!finalHead) {
                msg = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
            } else {
                msg = new DefaultLastHttpContent();
                responseEnded = true;
            }
            msg.setDecoderResult(failure);
            finalHead = true;
            l.onUpstreamMessage(msg);
        }
        ctx.close();
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
        if (cause instanceof Http2Exception || (decoder == null && cause instanceof DecoderException)) {
            // The HTTP/2 codec refused what the upstream sent (a stream error, a bad :status): a malformed
            // response. (On HTTP/1.1 the decoder reports those as failed messages; a DecoderException there
            // is a transport failure, such as TLS, and stays a reset.)
            invalid(ctx, "the upstream broke the protocol");
            return;
        }
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
