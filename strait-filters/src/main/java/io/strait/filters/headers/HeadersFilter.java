package io.strait.filters.headers;

import io.netty.handler.codec.http.HttpResponse;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;

/**
 * Changes request headers before they go upstream and response headers on the way back (the upstream's
 * response and local replies alike), in Kong's order: remove, rename, set, add, append ({@link HeaderChanges},
 * which the {@code transform} filter shares).
 */
final class HeadersFilter implements HttpFilter {
    /** One side's changes, or null when it has none. */
    private final HeaderChanges request;
    private final HeaderChanges response;

    HeadersFilter(HeadersConfig config) {
        this.request = changes(config.request());
        this.response = changes(config.response());
    }

    private static HeaderChanges changes(HeadersConfig.Side s) {
        return s.isEmpty() ? null : HeaderChanges.withSet(s.remove(), s.rename(), s.set(), s.add(), s.append());
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        if (request != null) request.apply(ctx.headers(), ctx);
        return FilterResult.CONTINUE;
    }

    @Override
    public void onResponse(RequestContext ctx, HttpResponse res) {
        if (response != null) response.apply(res.headers(), ctx);
    }
}
