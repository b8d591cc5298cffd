package io.strait.proxy.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.strait.proxy.endpoint.InvalidResponseException;
import io.strait.proxy.http.ReplyReason;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.MessageBody;
import io.strait.proxy.http.HopByHop;
import io.strait.proxy.http.StraitHeaders;
import io.strait.proxy.resilience.AttemptResult;

/**
 * The response's way down. The head is checked (a malformed response is a 502, or a cut connection
 * once the response started), an informational 1xx is passed on whole, a retriable response is drained
 * to its end so its connection can be reused ({@link #drainForRetry}), the head's framing and
 * connection headers are set for the client, and the body streams with backpressure (the upstream is
 * read only while the client can take more). When the route's filters read the response body, the
 * response is held back and its body read whole first, up to the filters' limit.
 */
final class ResponsePump {
    private final ProxyExchange x;
    /** Whether anything of the response (or a local reply) reached the client: no retry, no other answer then. */
    boolean started;
    /** Whether the client's connection stays open after this response. */
    boolean keepAlive = true;
    /** Whether the upstream's connection may be reused after this response. */
    boolean upstreamKeepAlive;
    /** Reading the upstream is paused because the client cannot take more. */
    boolean upstreamPaused;
    /** A retriable response is being read to its end (its connection can then be reused) before the retry. */
    boolean drainingForRetry;
    AttemptResult retryReason;
    /** A 1xx was passed on: the upstream's empty end-of-message that follows is swallowed. */
    private boolean informational;
    /** A response held back while its body is read whole for the filters, or null. */
    private HttpResponse held;
    private CompositeByteBuf heldBody;
    private long heldLimit;

    ResponsePump(ProxyExchange x) {
        this.x = x;
    }

    /** A new attempt: nothing of its response arrived yet. */
    void attemptStarted() {
        informational = false;
    }

    /** A message of the current attempt's connection; the pump owns it. */
    void onMessage(Object msg) {
        if (x.done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (drainingForRetry) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) endDrain();
            return;
        }
        if (msg instanceof HttpResponse res) {
            if (onHead(res) && msg instanceof HttpContent content) onContent(content);
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        } else if (msg instanceof ByteBuf raw) {
            x.down.write(raw); // bytes after a 101, before the tunnel takes over
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Returns false when the head ended the exchange or its attempt: then {@code res} was released. */
    private boolean onHead(HttpResponse res) {
        if (!res.decoderResult().isSuccess()) {
            ReferenceCountUtil.release(res);
            badUpstreamResponse(res.decoderResult().cause());
            return false;
        }
        int code = res.status().code();
        HttpHeaders h = res.headers();
        if (code >= 100 && code < 200 && code != 101) {
            // 100 Continue and friends: passed on whole (HTTP/2 sends them as one HEADERS frame); the
            // upstream's empty end-of-message that follows is swallowed; the real response comes next.
            informational = true;
            HopByHop.strip(h, false);
            if (x.call.upstreamH2) UpstreamHead.removeHttp2Extensions(h);
            x.down.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, res.status(), Unpooled.EMPTY_BUFFER, h,
                    EmptyHttpHeaders.INSTANCE));
            x.down.flush();
            return true;
        }
        AttemptResult result = AttemptResult.ofStatus(code);
        x.call.attemptAnswered(code);
        x.call.endAttempt(result);
        if ((result != AttemptResult.OK || !x.call.retry.statusCodes().isEmpty()) && x.call.retryable(result, code)) {
            drainForRetry(res, result);
            return false;
        }
        x.deadlines.responseStarted();
        started = true;
        x.recorder.status = code;
        x.recorder.upstreamNanos = System.nanoTime() - x.recorder.upstreamStartNanos;
        upstreamKeepAlive = HttpUtil.isKeepAlive(res);
        boolean upgrade = code == 101 && x.webSocket;
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        HopByHop.strip(h, upgrade);
        if (x.call.upstreamH2) UpstreamHead.removeHttp2Extensions(h);
        if (!x.down.http2() && !upgrade) {
            boolean bodiless = x.request.method() == HttpMethod.HEAD || code == 204 || code == 304;
            if (x.down.closeAfterResponse() || !x.clientKeepAlive) keepAlive = false;
            if (!hasLength && !bodiless) {
                if (x.clientVersion == HttpVersion.HTTP_1_0) {
                    keepAlive = false; // HTTP/1.0: the end of the body is the end of the connection
                } else {
                    h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                }
            }
            if (!keepAlive) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        res.setProtocolVersion(HttpVersion.HTTP_1_1);
        h.set(StraitHeaders.REQUEST_ID, x.ctx.requestId());
        x.ctx.applyResponseHeaders(h);
        long limit = x.filters.responseBodyLimit();
        if (limit > 0 && !upgrade && x.request.method() != HttpMethod.HEAD && code != 204 && code != 304) {
            if (HttpUtil.getContentLength(res, -1L) > limit && x.filters.rejectsLongResponse()) {
                ReferenceCountUtil.release(res);
                responseTooLong(limit);
                return false;
            }
            // read the body whole before any filter sees the head; the content of a whole response comes next
            held = res instanceof HttpContent ? new DefaultHttpResponse(res.protocolVersion(), res.status(), h) : res;
            heldBody = x.down.channel().alloc().compositeBuffer(64);
            heldLimit = limit;
            return true;
        }
        if (!responseFilters(res, null)) {
            ReferenceCountUtil.release(res);
            return false;
        }
        x.down.write(res);
        return true;
    }

    /** A response that will be retried: read to its end, then the connection goes back to the pool. */
    private void drainForRetry(HttpResponse res, AttemptResult reason) {
        drainingForRetry = true;
        retryReason = reason;
        x.deadlines.betweenAttempts();
        upstreamKeepAlive = HttpUtil.isKeepAlive(res);
        boolean last = res instanceof LastHttpContent;
        ReferenceCountUtil.release(res);
        if (last) endDrain();
    }

    private void endDrain() {
        drainingForRetry = false;
        x.call.letGoConnection(upstreamKeepAlive && x.requestPump.sent);
        x.call.releaseEndpoint();
        x.call.retryAfterBackoff(retryReason);
    }

    private void onContent(HttpContent content) {
        if (!content.decoderResult().isSuccess()) {
            content.release();
            badUpstreamResponse(content.decoderResult().cause());
            return;
        }
        boolean last = content instanceof LastHttpContent;
        x.deadlines.responseMoved();
        if (informational) {
            if (last) informational = false;
            content.release();
            return;
        }
        if (held != null) {
            collect(content);
            return;
        }
        x.recorder.bytesOut += content.content().readableBytes();
        if (!last) {
            x.down.write(content);
            if (!x.down.isWritable() && !upstreamPaused) {
                upstreamPaused = true;
                x.call.connection.autoRead(false);
            }
            return;
        }
        if (x.recorder.status == 101 && x.webSocket) {
            content.release();
            x.down.flush();
            x.tunnel();
            return;
        }
        writeLast(content);
    }

    private void writeLast(HttpContent content) {
        x.down.write(content);
        x.down.flush();
        if (!x.requestPump.sent) {
            // The upstream answered before the client finished sending: the rest of the request
            // can go nowhere, so neither connection can be reused.
            upstreamKeepAlive = false;
            keepAlive = false;
        }
        x.finish();
    }

    /** The client can take more: resume reading the upstream. */
    void onDownstreamWritable() {
        if (upstreamPaused && x.call.connection != null) {
            upstreamPaused = false;
            x.call.connection.autoRead(true);
        }
    }

    /**
     * The upstream's response is malformed (see docs/http-hardening.md): 502 when nothing of it reached
     * the client, else the client's connection is cut (or its stream reset). The upstream connection is
     * closed either way, never reused.
     */
    private void badUpstreamResponse(Throwable cause) {
        if (x.done) return;
        x.abortUpstream();
        if (held != null) { // held for the filters: nothing of it reached the client yet
            releaseHeldResponse();
            started = false;
        }
        String why = cause instanceof InvalidResponseException ? ": " + cause.getMessage() : "";
        if (started) {
            x.fail("invalid response from upstream" + why);
        } else if (!x.replyDeferred()) {
            x.call.endAttempt(AttemptResult.RESET); // counted by outlier detection and the breaker, never retried
            x.reply().error(ReplyReason.UPSTREAM_ERROR, HttpResponseStatus.BAD_GATEWAY, "bad_upstream_response", "invalid response from " + x.call.endpoint.id() + why);
        }
    }

    /** The response callbacks of the filters; false when one failed (the client got a 500 instead). */
    private boolean responseFilters(HttpResponse res, MessageBody body) {
        FilterResult.Respond failed = x.filters.runResponse(res, body);
        if (failed == null) return true;
        if (body != null) body.release();
        x.abortUpstream();
        started = false;
        x.reply().respond(failed);
        return false;
    }

    /** A response body longer than the filters read, on a route whose filters refuse it: 502. */
    private void responseTooLong(long limit) {
        x.abortUpstream();
        started = false;
        x.reply().error(ReplyReason.UPSTREAM_ERROR, HttpResponseStatus.BAD_GATEWAY, "response_too_large", "the response of " + x.call.endpoint.id()
                + " exceeds " + limit + " bytes, the most route " + x.route.name() + "'s filters read");
    }

    /** A chunk of a response the filters read whole; at its end they run, and the whole response goes out. */
    private void collect(HttpContent content) {
        ByteBuf bytes = content.content();
        boolean last = content instanceof LastHttpContent;
        if ((long) heldBody.readableBytes() + bytes.readableBytes() > heldLimit) {
            if (x.filters.rejectsLongResponse()) {
                content.release();
                releaseHeldResponse();
                responseTooLong(heldLimit);
                return;
            }
            // too long for the filters: relayed unchanged, what was read first, then the rest streams
            HttpResponse head = held;
            ByteBuf read = heldBody;
            held = null;
            heldBody = null;
            if (!responseFilters(head, null)) {
                read.release();
                content.release();
                return;
            }
            x.down.write(head);
            x.down.write(new DefaultHttpContent(read));
            onContent(content);
            return;
        }
        if (bytes.isReadable()) heldBody.addComponent(true, bytes.retain());
        content.release();
        if (!last) return;
        HttpResponse head = held;
        MessageBody body = new MessageBody(heldBody);
        held = null;
        heldBody = null;
        if (!responseFilters(head, body)) return;
        ByteBuf whole = body.take();
        head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, whole.readableBytes());
        x.recorder.bytesOut += whole.readableBytes();
        x.down.write(head);
        writeLast(new DefaultLastHttpContent(whole));
    }

    /** Lets go of a response held for the filters, and of its body read so far. */
    void releaseHeldResponse() {
        held = null;
        if (heldBody != null) {
            heldBody.release();
            heldBody = null;
        }
    }
}
