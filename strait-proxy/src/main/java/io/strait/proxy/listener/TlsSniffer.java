package io.strait.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * On a TLS listener that also allows plaintext ({@code tls.allowPlaintext}, a mesh's PERMISSIVE mode):
 * looks at a new connection's first byte and replaces itself with the TLS pipeline when it is a TLS
 * handshake record ({@code 0x16}, RFC 8446 5.1), else with the plain one (HTTP/1.1, or h2c by its
 * preface). No HTTP request starts with 0x16: methods are tokens and the h2 preface starts with
 * {@code PRI}. A client that sends nothing is closed after the listener's idle timeout.
 */
final class TlsSniffer extends ByteToMessageDecoder {
    /** The content type of a TLS handshake record, the first byte of every ClientHello. */
    static final byte TLS_HANDSHAKE = 0x16;

    private final ChannelInit init;
    private ScheduledFuture<?> timer;

    TlsSniffer(ChannelInit init) {
        this.init = init;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timer = ctx.executor().schedule((Runnable) ctx::close, init.listener().idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.read(); // auto-read is off
        super.channelActive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timer != null) timer.cancel(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            ctx.read();
            return;
        }
        if (in.getByte(in.readerIndex()) == TLS_HANDSHAKE) {
            init.addTls(ctx.pipeline());
        } else {
            init.addPlaintext(ctx.pipeline());
        }
        ctx.pipeline().remove(this); // hands the bytes read so far to the new pipeline
        ctx.channel().read();
    }
}
