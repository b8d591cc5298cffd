package io.strait.proxy.listener;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * After a {@code 101 Switching Protocols} (WebSocket), the client and upstream connections stop
 * speaking HTTP: both pipelines lose their HTTP handlers and relay raw bytes to each other, with
 * the same backpressure rule as the proxy (stop reading one side while the other cannot write).
 */
final class Tunnel {
    private Tunnel() {}

    static void splice(Channel downstream, Channel upstream) {
        install(upstream, downstream);
        install(downstream, upstream);
    }

    /**
     * Adds the relay last, then removes every other handler but TLS (a {@code wss://} client's or an HTTPS
     * upstream's bytes stay encrypted on their own connection); a decoder's leftover bytes flow into the relay.
     */
    private static void install(Channel ch, Channel peer) {
        ChannelPipeline p = ch.pipeline();
        List<String> old = new ArrayList<>(p.names());
        p.addLast("tunnel", new Relay(peer));
        for (String name : old) {
            ChannelHandler h = p.get(name);
            if (h != null && !(h instanceof SslHandler) && !name.startsWith("DefaultChannelPipeline$TailContext")) p.remove(name);
        }
        ch.config().setAutoRead(true);
        ch.read();
    }

    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            if (!peer.isWritable()) ctx.channel().config().setAutoRead(false);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) peer.config().setAutoRead(true);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer.isActive()) peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
