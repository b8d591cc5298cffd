package io.strait.gateway.graphql;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.strait.proxy.client.ClientRequest;
import io.strait.proxy.client.ClusterCallException;
import io.strait.proxy.client.ClusterClient;
import io.strait.proxy.filter.BodyAccess;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.MessageBody;
import io.strait.proxy.filter.RequestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The glue between the engine and {@link GraphqlService}: a GET (or any other method) is answered from its head,
 * a POST once its body is read whole (up to {@code limits.maxBodySize}); the service's REST calls go through the
 * engine's {@link ClusterClient} with the request as caller, so its id, trace context and identity headers go
 * along, and complete on the request's event loop. The answer is {@link FilterResult#reply}.
 */
final class GraphqlFilter implements HttpFilter {
    /** 10 s: each REST call's timeout when neither the resolver nor the route sets one. */
    static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final String HTTP2 = "HTTP/2";

    private final GraphqlService service;
    private final ClusterClient clients;
    private final Duration callTimeout;
    private final BodyAccess access;

    GraphqlFilter(GraphqlService service, FilterScope scope) {
        this.service = service;
        this.clients = scope.clients();
        Duration routeTimeout = scope.route() == null ? null : scope.route().timeout();
        this.callTimeout = routeTimeout == null || routeTimeout.isZero() ? DEFAULT_CALL_TIMEOUT : routeTimeout;
        this.access = BodyAccess.request(service.maxBodySize(), BodyAccess.OverLimit.REJECT);
    }

    @Override
    public BodyAccess bodyAccess() {
        return access;
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        if (ctx.request().method().equals(HttpMethod.POST)) {
            // a declared length over the limit gets the GraphQL error; a chunked one the engine's 413
            if (HttpUtil.getContentLength(ctx.request(), -1L) > service.maxBodySize()) return answer(ctx, new byte[0], true);
            // the engine calls onRequestBody only when a body comes: without one, the answer is made here
            return bodiless(ctx) ? answer(ctx, new byte[0], false) : FilterResult.CONTINUE;
        }
        return answer(ctx, new byte[0], false);
    }

    /**
     * Whether the request has no body at all: an HTTP/2 stream its head ended (the codec's FullHttpRequest), or an
     * HTTP/1 request with neither a chunked body nor a length above 0 (RFC 9112, 6.3).
     */
    private static boolean bodiless(RequestContext ctx) {
        HttpRequest r = ctx.request();
        if (r instanceof FullHttpRequest full) return !full.content().isReadable();
        if (HttpUtil.isTransferEncodingChunked(r)) return false;
        long length = HttpUtil.getContentLength(r, -1L);
        return length == 0 || (length < 0 && !HTTP2.equals(ctx.protocol()));
    }

    @Override
    public FilterResult onRequestBody(RequestContext ctx, MessageBody body) {
        byte[] bytes = new byte[body.length()];
        body.content().getBytes(body.content().readerIndex(), bytes);
        return answer(ctx, bytes, false);
    }

    private FilterResult answer(RequestContext ctx, byte[] body, boolean tooLarge) {
        String accept = ctx.headers().get(HttpHeaderNames.ACCEPT);
        if (tooLarge) {
            Refusal r = new Refusal(413, "REQUEST_TOO_LARGE", "the request body is over " + service.maxBodySize() + " bytes");
            return reply(ctx, GraphqlResponses.refusal(r, GraphqlHttp.wantsGraphqlResponse(accept), ctx.requestId()));
        }
        CompletionStage<GraphqlAnswer> later = service.handle(ctx.request().method().name(), ctx.query(),
                ctx.headers().get(HttpHeaderNames.CONTENT_TYPE), accept, body, ctx.requestId(), caller(ctx));
        return FilterResult.suspend(later.thenApply(a -> reply(ctx, a)));
    }

    private RestCaller caller(RequestContext ctx) {
        return call -> {
            Duration timeout = call.timeout() != null ? call.timeout() : callTimeout;
            return clients.send(ctx, new ClientRequest(call.cluster(), HttpMethod.valueOf(call.method()), call.pathAndQuery(),
                            call.headers(), null, timeout, call.maxResponseBytes()))
                    .handle((r, ex) -> {
                        if (ex == null) return new RestCaller.RestAnswer(r.status(), r.body());
                        throw failure(call, timeout, ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex);
                    });
        };
    }

    /** The engine's reason, in words for the client: the cluster, never its endpoints' addresses. */
    private static RuntimeException failure(RestCaller.RestCall call, Duration timeout, Throwable ex) {
        if (!(ex instanceof ClusterCallException e)) return ex instanceof RuntimeException r ? r : new CompletionException(ex);
        String cluster = call.cluster();
        return switch (e.reason()) {
            case RESPONSE_TOO_LARGE -> new RestFetchers.UpstreamFailure(RestFetchers.UPSTREAM_BAD_RESPONSE, cluster,
                    cluster + " answered more than " + call.maxResponseBytes() + " bytes");
            case TIMEOUT -> new RestFetchers.UpstreamFailure(RestFetchers.UPSTREAM_UNAVAILABLE, cluster,
                    cluster + " did not answer within " + timeout.toMillis() + "ms");
            case UNKNOWN_CLUSTER -> new RestFetchers.UpstreamFailure(RestFetchers.UPSTREAM_UNAVAILABLE, cluster,
                    "no cluster " + cluster + " in the running configuration");
            default -> new RestFetchers.UpstreamFailure(RestFetchers.UPSTREAM_UNAVAILABLE, cluster,
                    cluster + " did not answer (" + e.error() + ")");
        };
    }

    private static FilterResult reply(RequestContext ctx, GraphqlAnswer a) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(a.headers());
        headers.add(Map.entry("Content-Type", a.contentType()));
        ctx.addResponseHeaders(headers); // e.g. the route's X-RateLimit-*
        return FilterResult.reply(HttpResponseStatus.valueOf(a.status()), headers, a.body());
    }
}
