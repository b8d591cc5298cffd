package io.strait.proxy.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.proxy.http.StraitHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.http.ErrorResponse;
import io.strait.proxy.http.ReplyReason;
import java.util.List;
import java.util.Map;

/**
 * Strait's own answers: a JSON error ({@code {"error":...,"message":...,"requestId":...}}) for a
 * filter's answer or an engine error, or the body a filter answered with ({@link FilterResult#reply}),
 * passed through the response callbacks of the filters that saw
 * the request (as Envoy's local replies are). A bodiless HTTP/1.1 request whose end is still in the
 * decoder is answered once that end is read, so the connection stays reusable (the deferred reply).
 * The upstream side, if any, is already let go when a reply is made.
 */
final class LocalReply {
    private final ProxyExchange x;
    /** A reply waiting for the end of a bodiless request, or null. */
    private FullHttpResponse deferred;

    LocalReply(ProxyExchange x) {
        this.x = x;
    }

    /** A filter's answer: its JSON error, or the body it gave ({@link FilterResult#reply}), with the filter's headers. */
    void respond(FilterResult.Respond r) {
        if (r.body() == null) {
            error(r.reason(), r.status(), r.error(), r.message(), r.headers());
            return;
        }
        x.deadlines.cancel();
        x.recorder.status = r.status().code();
        x.recorder.reason = r.reason();
        byte[] body = r.body();
        int code = r.status().code();
        boolean bodiless = code < 200 || code == 204 || code == 304; // RFC 9110 6.4.1: these carry no content
        boolean head = x.method.equals("HEAD"); // the client's method: a HEAD gets the length, not the body
        ByteBuf content = head || bodiless || body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), content);
        for (Map.Entry<String, String> h : r.headers()) res.headers().add(h.getKey(), h.getValue());
        if (bodiless) res.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        else res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().remove(HttpHeaderNames.TRANSFER_ENCODING); // the engine frames the reply
        if (x.ctx.requestId() != null) res.headers().set(StraitHeaders.REQUEST_ID, x.ctx.requestId());
        x.filters.runLocalReply(res);
        answer(res);
    }

    /** An engine error: the JSON error {@code code} with {@code st}, counted under {@code reason}. */
    void error(ReplyReason reason, HttpResponseStatus st, String code, String message) {
        error(reason, st, code, message, List.of());
    }

    void error(ReplyReason reason, HttpResponseStatus st, String code, String message, List<Map.Entry<String, String>> headers) {
        x.deadlines.cancel();
        x.recorder.status = st.code();
        x.recorder.reason = reason;
        x.recorder.error = code;
        FullHttpResponse res = ErrorResponse.create(x.down.channel().alloc(), st, code, message, x.ctx.requestId());
        for (Map.Entry<String, String> h : headers) res.headers().add(h.getKey(), h.getValue());
        x.filters.runLocalReply(res);
        answer(res);
    }

    /** Sends {@code res} now, or once the end of a bodiless request is read. */
    private void answer(FullHttpResponse res) {
        if (!x.requestPump.complete && !x.down.http2() && x.requestPump.bodiless()) {
            // The empty body is still in the decoder: read it, then answer on a reusable connection.
            deferred = res;
            x.down.read();
            return;
        }
        send(res);
    }

    /** Whether a reply waits for the end of the request. */
    boolean deferred() {
        return deferred != null;
    }

    /** The request's end was read: the waiting reply goes out. */
    void sendDeferred() {
        FullHttpResponse res = deferred;
        deferred = null;
        send(res);
    }

    /** The exchange ended otherwise (the client went away): a waiting reply is dropped. */
    void releaseDeferred() {
        if (deferred != null) {
            deferred.release();
            deferred = null;
        }
    }

    private void send(FullHttpResponse res) {
        boolean reusable = x.requestPump.complete && !x.down.closeAfterResponse() && x.clientKeepAlive;
        if (!reusable && !x.down.http2()) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        x.recorder.bytesOut += res.content().readableBytes();
        x.responsePump.started = true;
        x.down.write(res);
        x.down.flush();
        x.complete(reusable);
    }
}
