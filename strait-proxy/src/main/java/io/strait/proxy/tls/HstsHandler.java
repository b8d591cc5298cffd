package io.strait.proxy.tls;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;

/** Sets {@code Strict-Transport-Security} on every final response of a TLS listener (informational ones excepted). */
@ChannelHandler.Sharable
public final class HstsHandler extends ChannelOutboundHandlerAdapter {
    public static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");

    private final String value;

    public HstsHandler(String value) {
        this.value = value;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse res && res.status().code() >= 200) res.headers().set(STRICT_TRANSPORT_SECURITY, value);
        ctx.write(msg, promise);
    }
}
