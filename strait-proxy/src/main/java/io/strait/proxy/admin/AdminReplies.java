package io.strait.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.proxy.http.ErrorResponse;
import java.nio.charset.StandardCharsets;

/** The admin API's responses: JSON errors as everywhere in Strait, no caching, keep-alive when the client wants it. */
final class AdminReplies {
    private AdminReplies() {}

    static FullHttpResponse error(ChannelHandlerContext ctx, HttpResponseStatus st, String code, String msg) {
        return ErrorResponse.create(ctx.alloc(), st, code, msg == null ? "" : msg, null);
    }

    static FullHttpResponse json(ChannelHandlerContext ctx, HttpResponseStatus st, String body) {
        return text(ctx, st, body, "application/json");
    }

    static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus st, String body, String type) {
        ByteBuf buf = ctx.alloc().buffer(body.length());
        buf.writeCharSequence(body, StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, st, buf);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return res;
    }

    static void send(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (!keepAlive) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
    }
}
