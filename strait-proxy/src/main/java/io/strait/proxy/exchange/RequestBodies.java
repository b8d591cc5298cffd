package io.strait.proxy.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.strait.proxy.filter.FilterChain;
import io.strait.proxy.filter.MessageBody;

/**
 * Reading a request body whole for the route's body filters: chunks gather in one composite buffer
 * (no copy) up to the largest limit a filter stated; then the filters run and the body goes upstream
 * with its length set. The exchange owns the buffer and releases it on every ending.
 */
final class RequestBodies {
    /** What a chunk added to the body leads to. */
    enum Step { MORE, COMPLETE, OVER_LIMIT_REJECT, OVER_LIMIT_PASS }

    /** Components a composite keeps before it consolidates: a body of many small chunks stays cheap to read. */
    private static final int MAX_COMPONENTS = 64;

    private RequestBodies() {}

    /**
     * Starts reading the body: answers a client's {@code Expect: 100-continue} now (the body is wanted
     * before any upstream is chosen) and returns the empty buffer the chunks gather in.
     */
    static CompositeByteBuf startCollecting(Downstream down, HttpRequest request) {
        if (!down.http2() && HttpUtil.is100ContinueExpected(request)) {
            request.headers().remove(HttpHeaderNames.EXPECT);
            down.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            down.flush();
        }
        return down.channel().alloc().compositeBuffer(MAX_COMPONENTS);
    }

    /** Adds {@code content} (released here) to {@code body}. */
    static Step add(CompositeByteBuf body, HttpContent content, FilterChain chain) {
        ByteBuf bytes = content.content();
        boolean last = content instanceof LastHttpContent;
        if ((long) body.readableBytes() + bytes.readableBytes() > chain.requestBodyLimit()) {
            if (chain.rejectsLongRequest()) {
                content.release();
                return Step.OVER_LIMIT_REJECT;
            }
            body.addComponent(true, bytes.retain());
            content.release();
            return Step.OVER_LIMIT_PASS;
        }
        if (bytes.isReadable()) body.addComponent(true, bytes.retain());
        content.release();
        return last ? Step.COMPLETE : Step.MORE;
    }

    /** What was read of a body too long for the filters, to go upstream first (its end, if that came too). */
    static HttpContent asContent(CompositeByteBuf body, boolean complete) {
        return complete ? new DefaultLastHttpContent(body) : new DefaultHttpContent(body);
    }

    /**
     * The body the filters let through, as the request's last content: its length is set (a chunked
     * request becomes a sized one; trailers are not kept).
     */
    static HttpContent finish(HttpRequest request, MessageBody body) {
        ByteBuf bytes = body.take();
        request.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        request.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.readableBytes());
        return new DefaultLastHttpContent(bytes);
    }
}
