package io.strait.proxy.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** First in an HTTP/1.1 pipeline: tells the connection handler that bytes arrived (a request head has begun). */
final class ActivityTracker extends ChannelInboundHandlerAdapter {
    private final DownstreamHandler handler;

    ActivityTracker(DownstreamHandler handler) {
        this.handler = handler;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        handler.bytesArrived();
        ctx.fireChannelRead(msg);
    }
}
