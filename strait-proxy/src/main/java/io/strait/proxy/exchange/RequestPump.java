package io.strait.proxy.exchange;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.proxy.endpoint.UpstreamConnection;
import io.strait.proxy.http.ReplyReason;
import io.strait.proxy.filter.MessageBody;
import io.strait.proxy.core.RouteRuntime;
import java.util.ArrayDeque;

/**
 * The request's way up: the head, then the body streamed chunk by chunk with backpressure (the client
 * is read only when the upstream can take more). It holds a chunk read before the connection is there,
 * keeps duplicates of what was sent for a retry (up to {@link #RETRY_BUFFER_LIMIT}), enforces the
 * body size limit, and reads the body whole first when the route's filters read it ({@link RequestBodies}).
 * Every chunk it holds is released on every ending.
 */
final class RequestPump {
    /**
     * Request body bytes kept for sending again on a retry (Envoy keeps up to its buffer limit too); a
     * longer body is streamed without a copy, and its request is not retried once any of it was sent.
     */
    static final int RETRY_BUFFER_LIMIT = 64 * 1024;

    private final ProxyExchange x;
    /** Whether the client has sent its whole request. */
    boolean complete;
    /** Whether the whole request went to the current attempt's connection. */
    boolean sent;
    /** The client's {@code Expect: 100-continue}, answered once the connection is there. */
    boolean expectContinue;
    /** Request body bytes read from the client. */
    long bytesIn;
    /** A chunk read before it could go anywhere (no connection yet), or null: no more reads meanwhile. */
    private HttpContent pending;
    private long maxBody;
    /** Whether the body is kept for a retry (a retriable method on a route with retries). */
    private boolean keepBody;
    /** The body chunks sent so far, kept for a retry (duplicates this pump owns); null until the first byte, or when dropped. */
    private ArrayDeque<HttpContent> replay;
    private long replayBytes;
    /** The request body read whole for the route's body filters, or null. */
    private CompositeByteBuf body;
    /** The whole body while the route's body filters run on it (they may suspend), or null. */
    private MessageBody filtering;

    RequestPump(ProxyExchange x, boolean complete) {
        this.x = x;
        this.complete = complete;
    }

    /** Whether the request has no body at all (its end may still be in the decoder). */
    boolean bodiless() {
        return !HttpUtil.isTransferEncodingChunked(x.request) && HttpUtil.getContentLength(x.request, 0L) == 0;
    }

    /** Whether nothing of the request is left to send after its head. */
    boolean whole() {
        return complete && pending == null;
    }

    /** The route's (else the listener's) body limit; false when the declared length exceeds it (413 sent). */
    boolean withinLimit(RouteRuntime route, ListenerConfig listener) {
        Long routeMax = route.maxRequestBodySize();
        maxBody = routeMax != null ? routeMax : listener.maxRequestBodySize();
        if (maxBody > 0 && HttpUtil.getContentLength(x.request, -1L) > maxBody) {
            x.reply().error(ReplyReason.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "request body exceeds " + maxBody + " bytes");
            return false;
        }
        return true;
    }

    /**
     * Starts reading the body whole when one of the route's filters reads it; false when there is no
     * such filter or no body (the request goes on streaming).
     */
    boolean collectForFilters() {
        if (x.route.filters().requestBodyLimit() <= 0 || (complete && pending == null) || (!x.down.http2() && bodiless())) {
            return false;
        }
        body = RequestBodies.startCollecting(x.down, x.request);
        if (pending != null) { // a chunk read ahead while the filters ran: counted and checked when it came
            HttpContent c = pending;
            pending = null;
            collect(c);
        } else {
            x.down.read();
        }
        return true;
    }

    /**
     * Keeps the body for a retry when one could need it again: not for refused connections alone
     * (nothing was sent), which is all a route without a retries block retries.
     */
    void keepBodyFor(RetryPolicy retry) {
        if (retry.attempts() > 0 && (!complete || pending != null) && RetryRules.retriesSentRequests(retry)
                && RetryRules.mayResend(retry, x.method)) {
            keepBody = true;
        }
    }

    /** Whether the request can go again: the client sent it whole, and its body (if any) was kept. */
    boolean canResend() {
        return complete && (bytesIn == 0 || replay != null);
    }

    /** A body chunk from the client; the pump owns it. */
    void onContent(HttpContent content) {
        bytesIn += content.content().readableBytes();
        if (content instanceof LastHttpContent) complete = true;
        if (x.done || x.replyDeferred()) {
            content.release();
            if (x.replyDeferred() && complete) x.reply().sendDeferred();
            else if (!complete) x.down.read();
            return;
        }
        if (maxBody > 0 && bytesIn > maxBody) {
            content.release();
            complete = false; // the rest of the body stays unread: the connection must close
            if (!x.responsePump.started) {
                x.abortUpstream();
                x.reply().error(ReplyReason.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "request body exceeds " + maxBody + " bytes");
            } else {
                x.fail("request body exceeds limit");
            }
            return;
        }
        if (body != null) {
            collect(content);
            return;
        }
        if (x.call.connection == null) {
            pending = content; // no more reads until the connection is there
            return;
        }
        write(content);
    }

    /** A chunk of a body the route's filters read whole; at its end they run, then the request goes on. */
    private void collect(HttpContent content) {
        RequestBodies.Step step = RequestBodies.add(body, content, x.route.filters());
        switch (step) {
            case MORE -> x.down.read();
            case OVER_LIMIT_REJECT -> {
                releaseBody();
                complete = false; // the rest of the body stays unread: the connection must close
                x.reply().error(ReplyReason.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "request body exceeds "
                        + x.route.filters().requestBodyLimit() + " bytes, the most route " + x.route.name() + "'s filters read");
            }
            case OVER_LIMIT_PASS -> {
                // what was read goes first, then the rest streams; no body filter runs
                pending = RequestBodies.asContent(body, complete);
                body = null;
                x.forward();
            }
            case COMPLETE -> {
                filtering = new MessageBody(body);
                body = null;
                x.filters.runRequestBody(filtering, x.deadlines.routeDeadline()); // may suspend
            }
        }
    }

    /** The route's body filters let {@code whole} through (at once or after a suspension): it goes upstream. */
    void bodyFiltered(MessageBody whole) {
        filtering = null;
        pending = RequestBodies.finish(x.request, whole);
        x.forward();
    }

    /** The attempt's connection is there: the head goes, then what the body has (held, kept, or still to read). */
    void sendTo(UpstreamConnection connection) {
        if (complete && x.request instanceof LastHttpContent) {
            // an HTTP/2 request that came whole: the exchange keeps its own reference for a retry
            connection.writeAndFlush(ReferenceCountUtil.retain(x.request));
            sent = true;
            return;
        }
        connection.write(x.request);
        if (expectContinue) {
            expectContinue = false;
            x.down.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            x.down.flush();
        }
        HttpContent p = pending;
        pending = null;
        if (p != null) {
            write(p);
        } else if (!complete) {
            connection.channel().flush();
            x.down.read();
        } else if (replay != null && !replay.isEmpty()) {
            // a retry: the kept body goes again (duplicates, so it can go once more)
            for (HttpContent c : replay) connection.write(c.retainedDuplicate());
            connection.channel().flush();
            sent = true;
        } else {
            // a retry of a bodiless request whose end the client sent long ago
            connection.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            sent = true;
        }
    }

    private void write(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        UpstreamConnection connection = x.call.connection;
        if (x.mirror != null) x.mirror.offer(content.retainedDuplicate());
        if (keepBody) keepForReplay(content);
        connection.writeAndFlush(content);
        if (last) {
            sent = true;
        } else if (connection.isWritable()) {
            x.down.read();
        } // else: onUpstreamWritable resumes reading
    }

    /** The upstream can take more: read the client again. */
    void onUpstreamWritable() {
        if (!complete && pending == null) x.down.read();
    }

    /** Keeps a duplicate of a body chunk for a retry, until the body grows past {@link #RETRY_BUFFER_LIMIT}. */
    private void keepForReplay(HttpContent content) {
        int n = content.content().readableBytes();
        if (replay == null) {
            if (n == 0) return; // nothing yet (a bodiless request's end): a retry sends an empty end
            replay = new ArrayDeque<>(4);
        }
        replayBytes += n;
        if (replayBytes > RETRY_BUFFER_LIMIT) {
            dropReplay();
            return;
        }
        replay.add(content.retainedDuplicate());
    }

    void dropReplay() {
        keepBody = false;
        if (replay == null) return;
        for (HttpContent c : replay) c.release();
        replay = null;
    }

    void releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
        if (filtering != null) {
            filtering.release();
            filtering = null;
        }
    }
}
