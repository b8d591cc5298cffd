package io.strait.proxy.listener;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import io.strait.config.model.ListenerConfig;
import io.strait.proxy.http.ErrorResponse;
import io.strait.proxy.http.ReplyReason;
import io.strait.proxy.observe.ExchangeRecord;
import io.strait.proxy.observe.RequestLabels;
import io.strait.proxy.observe.RouteMetrics;

/**
 * Refuses malformed or ambiguous requests at the edge (RFC 9112 framing, request smuggling defences), after
 * the HTTP codec and before the proxy handler.
 *
 * <p>HTTP/1.1: {@code RawRequestGuard -> HttpServerCodec(decoderConfig) -> RequestValidator -> DownstreamHandler}.
 * HTTP/2 stream: {@code Http2StreamFrameToHttpObjectCodec(true) -> RequestValidator(h2) -> DownstreamHandler}.
 *
 * <ul>
 *   <li>A valid head passes on unchanged, except that an absolute-form target is rewritten to origin-form with
 *   Host set to its authority. Its body passes on.</li>
 *   <li>A bad head is answered here with a JSON error ({@code Connection: close} on HTTP/1.1), then the
 *   connection (or the h2 stream) is closed; nothing of it passes on and every later message is released. On
 *   HTTP/1.1 the answer waits until the responses to earlier pipelined requests have been written.</li>
 *   <li>A framing error inside a body whose head already passed on fires {@link BodyError} instead; from then on
 *   nothing more passes. The proxy handler aborts its upstream request, answers if it can, and closes.</li>
 * </ul>
 * See docs/http-hardening.md for every rule.
 */
public final class RequestValidator extends ChannelDuplexHandler {

    /** Body pieces up to one default HTTP/2 DATA frame (16 KiB), so a body maps onto upstream frames 1:1. */
    public static final int MAX_CHUNK_SIZE = 16 * 1024;
    /** A request refused before its method was read is counted as {@code method="other"}. */
    private static final HttpMethod UNKNOWN_METHOD = new HttpMethod("UNKNOWN");

    /** User event: the body of the request in flight is malformed; no more of it will arrive. */
    public record BodyError(HttpResponseStatus status, String error, String message) {
        static BodyError of(RequestProblem p) {
            return new BodyError(p.status(), p.error(), p.message());
        }
    }

    /** The strictest Netty 4.2.18 decoder settings for a listener, behind a {@link RawRequestGuard}. */
    public static HttpDecoderConfig decoderConfig(ListenerConfig l) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(l.maxRequestLineLength())
                .setMaxHeaderSize(l.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setChunkedSupported(true)
                // stream body bytes as they arrive rather than holding a whole chunk
                .setAllowPartialChunks(true)
                .setAllowDuplicateContentLengths(false)
                // Header names and values were already checked byte by byte by RawRequestGuard (token names,
                // no control characters): a second check per header in Netty's header map only costs time.
                .setValidateHeaders(false)
                // bare LF as a line ending is refused (InvalidLineSeparatorException)
                .setStrictLineParsing(true)
                // Transfer-Encoding in HTTP/1.0 and Transfer-Encoding with Content-Length are refused
                .setUseRfc9112TransferEncoding(true);
    }

    /** The raw-byte guard to put before {@code HttpServerCodec}; one per connection. */
    public static RawRequestGuard newGuard(ListenerConfig l) {
        return new RawRequestGuard(l.maxHeaderCount());
    }

    /** The guard of a real connection: it also tells {@code handler} when bytes arrive. */
    static RawRequestGuard newGuard(ListenerConfig l, DownstreamHandler handler) {
        return new RawRequestGuard(l.maxHeaderCount(), handler);
    }

    private final ListenerConfig listener;
    private final boolean http2;
    /** A passed-on request whose last content has not arrived yet. */
    private boolean inBody;
    /** Refusing: nothing more passes on. */
    private boolean stopped;
    /** HTTP/1.1 pipelining: request heads passed on, and final responses written for them. */
    private long passed;
    private long answered;
    private boolean responseOpen;
    /** An answer waiting for earlier pipelined responses to be written. */
    private RequestProblem pending;
    private final RouteMetrics refused;
    /** The method and protocol a refusal is counted under: the head's when it was decoded, else an unknown method. */
    private int refusedKind;

    public RequestValidator(ListenerConfig listener, boolean http2) {
        this(listener, http2, null);
    }

    /** {@code refused}: where a refused request is counted (the unrouted requests' metrics), or null. */
    public RequestValidator(ListenerConfig listener, boolean http2, RouteMetrics refused) {
        this.listener = listener;
        this.http2 = http2;
        this.refused = refused;
        this.refusedKind = RequestLabels.kind(UNKNOWN_METHOD, http2, HttpVersion.HTTP_1_1);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (stopped) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof HttpRequest req) {
            onHead(ctx, req);
        } else if (msg instanceof HttpContent content) {
            onContent(ctx, content);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest req) {
        RequestProblem p = req.decoderResult().isFailure()
                ? RequestHeadRules.fromDecoderFailure(req.decoderResult().cause())
                : RequestHeadRules.checkAndNormalize(req, listener, http2);
        if (p != null) {
            refusedKind = RequestLabels.kind(req.method(), http2, req.protocolVersion());
            ReferenceCountUtil.release(req);
            reject(ctx, p);
            return;
        }
        passed++;
        inBody = !(req instanceof LastHttpContent);
        ctx.fireChannelRead(req);
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            fail(ctx, RequestProblem.badRequest("malformed chunked body"));
            return;
        }
        if (!inBody) { // nothing to attach it to
            content.release();
            return;
        }
        if (content instanceof LastHttpContent) inBody = false;
        ctx.fireChannelRead(content);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof RawRequestGuard.Rejected rejected) {
            if (!stopped) fail(ctx, rejected.problem());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The codecs throw DecoderException for input they cannot turn into messages (HTTP/1.1 pipeline depth,
        // HTTP/2 headers that do not convert); a stream error (e.g. content-length mismatch) reaches an h2 stream
        // as Http2Exception after Netty reset it. Both are the client's fault: a bad request or a body error.
        if (cause instanceof DecoderException || cause instanceof Http2Exception) {
            if (!stopped) fail(ctx, RequestProblem.badRequest("malformed request"));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** A problem found while a body may be in flight: a body error if its head passed on, else an answer. */
    private void fail(ChannelHandlerContext ctx, RequestProblem p) {
        if (inBody) {
            stopped = true;
            inBody = false;
            discardGuardInput(ctx);
            ctx.fireUserEventTriggered(BodyError.of(p));
        } else {
            reject(ctx, p);
        }
    }

    private void reject(ChannelHandlerContext ctx, RequestProblem p) {
        stopped = true;
        inBody = false;
        if (refused != null) refused.record(p.status().code(), refusedKind, ReplyReason.BAD_REQUEST, 0, ExchangeRecord.NO_UPSTREAM, 0, 0);
        if (http2) {
            answer(ctx, p);
            return;
        }
        discardGuardInput(ctx);
        if (passed == answered) answer(ctx, p);
        else pending = p;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!http2) trackResponse(msg);
        ctx.write(msg, promise);
        if (pending != null && passed == answered) {
            RequestProblem p = pending;
            pending = null;
            answer(ctx, p);
        }
    }

    /** Counts final responses completed; interim 1xx responses do not answer a request. */
    private void trackResponse(Object msg) {
        if (msg instanceof HttpResponse res) {
            HttpResponseStatus s = res.status();
            if (s.codeClass() == HttpStatusClass.INFORMATIONAL && s.code() != 101) return;
            responseOpen = true;
        }
        if (msg instanceof LastHttpContent && responseOpen) {
            responseOpen = false;
            answered++;
        }
    }

    private void answer(ChannelHandlerContext ctx, RequestProblem p) {
        FullHttpResponse res = ErrorResponse.create(ctx.alloc(), p.status(), p.error(), p.message(), null);
        if (!http2) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    private static void discardGuardInput(ChannelHandlerContext ctx) {
        RawRequestGuard guard = ctx.pipeline().get(RawRequestGuard.class);
        if (guard != null) guard.discardInput();
    }
}
