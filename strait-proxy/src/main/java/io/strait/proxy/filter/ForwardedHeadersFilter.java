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
            String client = trustedEntry(prior, trustedHops);
            if (client != null) ctx.forwardedClientIp(client);
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

    /**
     * The entry the nearest trusted proxy appended for its client: the {@code hops}-th from the right of
     * the incoming chain. Null (the peer's own address counts) when the chain is shorter, or the entry
     * is not an IP address literal: a client that went around the balancers cannot pick its address.
     */
    static String trustedEntry(String chain, int hops) {
        int end = chain.length();
        for (int i = 1; end > 0; i++) {
            int comma = chain.lastIndexOf(',', end - 1);
            if (i == hops) {
                String entry = chain.substring(comma + 1, end).trim();
                return isIpLiteral(entry) ? entry : null;
            }
            end = comma < 0 ? 0 : comma;
        }
        return null;
    }

    private static boolean isIpLiteral(String s) {
        if (s.isEmpty() || s.length() > 45) return false;
        if (s.indexOf(':') >= 0) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) return false;
            }
            return true;
        }
        int dots = 0, digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (digits == 0) return false;
                dots++;
                digits = 0;
            } else if (c >= '0' && c <= '9' && ++digits <= 3) {
                continue;
            } else {
                return false;
            }
        }
        return dots == 3 && digits > 0;
    }
}
