package io.strait.proxy.filter;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.proxy.http.StraitHeaders;

/**
 * Sets {@code X-Forwarded-For}, {@code -Proto} and {@code -Host}. With no trusted hops (the edge
 * default) whatever the client sent is replaced, so a client cannot spoof its address; with
 * trusted hops (Strait behind a load balancer) the client's address is appended to the chain and
 * the proto/host set by that balancer are kept.
 */
public final class ForwardedHeadersFilter implements HttpFilter {
    private final int trustedHops;

    public ForwardedHeadersFilter(int trustedHops) {
        this.trustedHops = trustedHops;
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        HttpHeaders h = ctx.headers();
        String ip = ctx.clientIp();
        String host = h.get(HttpHeaderNames.HOST);
        if (trustedHops > 0) {
            String prior = String.join(", ", h.getAll(StraitHeaders.X_FORWARDED_FOR));
            h.set(StraitHeaders.X_FORWARDED_FOR, prior.isEmpty() ? ip : prior + ", " + ip);
            if (!h.contains(StraitHeaders.X_FORWARDED_PROTO)) h.set(StraitHeaders.X_FORWARDED_PROTO, ctx.secure() ? "https" : "http");
            if (!h.contains(StraitHeaders.X_FORWARDED_HOST) && host != null) h.set(StraitHeaders.X_FORWARDED_HOST, host);
        } else {
            h.set(StraitHeaders.X_FORWARDED_FOR, ip);
            h.set(StraitHeaders.X_FORWARDED_PROTO, ctx.secure() ? "https" : "http");
            if (host != null) h.set(StraitHeaders.X_FORWARDED_HOST, host);
            else h.remove(StraitHeaders.X_FORWARDED_HOST);
        }
        return FilterResult.CONTINUE;
    }
}
