package io.strait.proxy.filter;

import io.netty.handler.codec.http.HttpResponse;

/**
 * One step of a request's path through the proxy. A chain of filters is built once per route (and per
 * listener) when the configuration loads; the same instances serve every request, so a filter keeps
 * per-request state only in the {@link RequestContext}.
 *
 * <p>Heads by default: a filter sees a body only when {@link #bodyAccess()} asks for it, up to the size
 * it states; everything else streams. Every callback is guarded by the engine: an exception becomes a
 * JSON error response and a count in {@code strait_filter_errors_total}, naming the route and filter.
 */
public interface HttpFilter {
    /** Sees (and may change) the request head before it goes upstream. */
    FilterResult onRequest(RequestContext ctx);

    /** Sees (and may change) the response head before it goes downstream; filters run in reverse order. */
    default void onResponse(RequestContext ctx, HttpResponse response) {}

    /** The bodies this filter needs whole ({@link BodyAccess#NONE}: it reads heads only). Asked once, at load. */
    default BodyAccess bodyAccess() {
        return BodyAccess.NONE;
    }

    /**
     * With {@link BodyAccess#readsRequest()}: the whole request body, after every filter's {@link #onRequest}
     * (a filter may {@link MessageBody#replace} it; the length header is set again).
     */
    default FilterResult onRequestBody(RequestContext ctx, MessageBody body) {
        return FilterResult.CONTINUE;
    }

    /**
     * With {@link BodyAccess#readsResponse()}: the whole response body, right after this filter's
     * {@link #onResponse} (in reverse order, as heads).
     */
    default void onResponseBody(RequestContext ctx, HttpResponse response, MessageBody body) {}
}
