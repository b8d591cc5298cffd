package io.strait.proxy.admin;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.strait.proxy.dashboard.Dashboard;
import java.util.Map;
import java.util.Set;

/**
 * Checks an admin request from its head, before any body is buffered: the path (404), the method (405 with
 * {@code Allow}), the right to write (403, see {@link AdminAccess}), the body's size (413) and a config
 * document's media type (415). A refused request is answered at once; its body is read and dropped (never
 * buffered) and then the connection closes.
 */
final class AdminGate extends ChannelInboundHandlerAdapter {
    /** A whole configuration document; far above any real one (SnakeYAML itself stops at 3 Mi characters). */
    static final int MAX_CONFIG_BODY = 4 * 1024 * 1024;
    /** Every other admin request has no body worth the name. */
    static final int MAX_OTHER_BODY = 64 * 1024;

    /** The methods of each admin path; any other method is a 405. */
    static final Map<String, Set<HttpMethod>> METHODS = Map.of(
            "/ready", Set.of(HttpMethod.GET),
            "/metrics", Set.of(HttpMethod.GET),
            "/config", Set.of(HttpMethod.GET, HttpMethod.PUT),
            "/clusters", Set.of(HttpMethod.GET),
            "/reload", Set.of(HttpMethod.POST),
            "/traces", Set.of(HttpMethod.GET),
            "/logs/reopen", Set.of(HttpMethod.POST));
    /** The dashboard's paths ({@link Dashboard#PATHS}): reads, open as {@code GET /config} is. */
    private static final Set<HttpMethod> GET_ONLY = Set.of(HttpMethod.GET);
    /** The {@code Allow} header of each path, methods in a fixed order. */
    private static final Map<String, String> ALLOW = Map.of(
            "/ready", "GET", "/metrics", "GET", "/config", "GET, PUT", "/clusters", "GET", "/reload", "POST", "/traces", "GET", "/logs/reopen", "POST");

    private final AdminAccess access;
    /** A refused request's body is read and dropped, then the connection closes. */
    private boolean refusing;
    /** Bytes of a refused request's body dropped so far. */
    private long dropped;
    /** The refusal's write, which must be done before the connection closes. */
    private ChannelFuture answered;

    AdminGate(AdminAccess access) {
        this.access = access;
    }

    /** Whether the request changes the running configuration (or reopens the log files). */
    static boolean isWrite(HttpMethod m, String path) {
        return (m.equals(HttpMethod.PUT) && path.equals("/config"))
                || (m.equals(HttpMethod.POST) && (path.equals("/reload") || path.equals("/logs/reopen")));
    }

    /** The endpoint a path belongs to: {@code /traces/ID} is {@code /traces}'s. */
    static String endpoint(String path) {
        return path.startsWith("/traces/") ? "/traces" : path;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refusing) {
            drop(ctx, msg);
            return;
        }
        if (!(msg instanceof HttpRequest req) || !req.decoderResult().isSuccess()) {
            ctx.fireChannelRead(msg); // bodies of accepted requests, and malformed heads (the handler answers 400)
            return;
        }
        FullHttpResponse refusal = check(ctx, req);
        if (refusal == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        refusing = true;
        refusal.headers().set(HttpHeaderNames.CONTENT_LENGTH, refusal.content().readableBytes());
        refusal.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        refusal.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        answered = ctx.writeAndFlush(refusal);
        drop(ctx, msg);
    }

    /**
     * Reads a refused request's body to its end before closing: closing with unread bytes would reset the
     * connection, and the client could lose the answer. A body longer than any admin request is cut short.
     */
    private void drop(ChannelHandlerContext ctx, Object msg) {
        boolean last = msg instanceof LastHttpContent;
        if (msg instanceof HttpContent c) dropped += c.content().readableBytes();
        ReferenceCountUtil.release(msg);
        if (last || dropped > MAX_CONFIG_BODY) answered.addListener(ChannelFutureListener.CLOSE);
    }

    private FullHttpResponse check(ChannelHandlerContext ctx, HttpRequest req) {
        String path = endpoint(new QueryStringDecoder(req.uri()).path());
        Set<HttpMethod> allowed = METHODS.getOrDefault(path, Dashboard.PATHS.contains(path) ? GET_ONLY : null);
        if (allowed == null) {
            return AdminReplies.error(ctx, HttpResponseStatus.NOT_FOUND, "not_found", AdminServer.ENDPOINTS);
        }
        HttpMethod m = req.method();
        if (!allowed.contains(m)) {
            FullHttpResponse res = AdminReplies.error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                    m + " is not allowed on " + path + "; use " + ALLOW.getOrDefault(path, "GET"));
            res.headers().set(HttpHeaderNames.ALLOW, ALLOW.getOrDefault(path, "GET"));
            return res;
        }
        boolean write = isWrite(m, path);
        if (write) {
            String why = access.refusal(req.headers(), ctx.channel());
            if (why != null) return AdminReplies.error(ctx, HttpResponseStatus.FORBIDDEN, "forbidden", why);
        }
        boolean document = m.equals(HttpMethod.PUT);
        long limit = document ? MAX_CONFIG_BODY : MAX_OTHER_BODY;
        long length = HttpUtil.getContentLength(req, -1L);
        if (length > limit) {
            return AdminReplies.error(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                    "the body exceeds " + limit + " bytes");
        }
        if (document && ConfigUpload.format(req.headers().get(HttpHeaderNames.CONTENT_TYPE)) == null) {
            return AdminReplies.error(ctx, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "PUT /config takes Content-Type application/yaml or application/json (UTF-8)");
        }
        return null;
    }
}
