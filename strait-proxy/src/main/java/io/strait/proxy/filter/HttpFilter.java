package io.strait.proxy.filter;

import io.netty.handler.codec.http.HttpResponse;

/**
 * One step of a request's path through the proxy. A chain of filters is built once per route when
 * the configuration loads; the same instances serve every request, so a filter keeps per-request
 * state only in the {@link RequestContext}.
 */
public interface HttpFilter {
    /** Sees (and may change) the request head before it goes upstream. */
    FilterResult onRequest(RequestContext ctx);

    /** Sees (and may change) the response head before it goes downstream; filters run in reverse order. */
    default void onResponse(RequestContext ctx, HttpResponse response) {}
}
