package io.strait.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Looks at a new connection's first bytes: the HTTP/2 connection preface means h2c with prior
 * knowledge, anything else is HTTP/1.1. Then it replaces itself with the matching pipeline.
 * Until then it owns the connection's timeout: a client that sends nothing is closed after the
 * listener's idle timeout, one that stops inside the preface after the request headers timeout.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final ChannelInit init;
    /** Behind TLS (a client that negotiated no ALPN protocol). */
    private final boolean secure;
    private ScheduledFuture<?> timer;
    private boolean prefaceStarted;

    ProtocolDetector(ChannelInit init, boolean secure) {
        this.init = init;
        this.secure = secure;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        // Added after a TLS handshake the connection is already active: no channelActive follows.
        if (ctx.channel().isActive()) closeAfter(ctx, init.listener().idleTimeout().toMillis());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        closeAfter(ctx, init.listener().idleTimeout().toMillis());
        ctx.read();
        super.channelActive(ctx);
    }

    private void closeAfter(ChannelHandlerContext ctx, long millis) {
        if (timer != null) timer.cancel(false);
        timer = ctx.executor().schedule((Runnable) ctx::close, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timer != null) timer.cancel(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean prefixMatches = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n);
        if (prefixMatches && n < PREFACE.readableBytes()) {
            if (!prefaceStarted && n > 0) {
                prefaceStarted = true;
                closeAfter(ctx, init.listener().requestHeadersTimeout().toMillis());
            }
            ctx.read(); // could still be HTTP/2: wait for the whole preface
            return;
        }
        if (prefixMatches && init.h2cEnabled()) {
            init.configureHttp2(ctx.pipeline(), secure);
        } else if (init.http1Enabled()) {
            init.configureHttp1(ctx.pipeline(), secure);
        } else {
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        ctx.pipeline().remove(this); // hands the bytes read so far to the new pipeline
    }
}
