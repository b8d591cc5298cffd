package io.strait.gateway.auth;

import io.netty.handler.codec.http.HttpHeaders;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import java.util.List;

/**
 * First filter of every route, with or without an auth policy: removes the headers only the gateway
 * may set (X-User-ID, X-Tenant-ID, X-Scopes, X-API-Key-ID, the providers' claim headers and
 * {@code auth.identityHeaders}) from what the client sent. Netty's header map matches names in any
 * letter case and removes every occurrence, so neither "x-user-id" nor a repeated header survives.
 */
public final class IdentityHeadersFilter implements HttpFilter {
    private final List<String> names;

    public IdentityHeadersFilter(List<String> names) {
        this.names = List.copyOf(names);
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        HttpHeaders h = ctx.headers();
        for (int i = 0; i < names.size(); i++) h.remove(names.get(i));
        return FilterResult.CONTINUE;
    }

    public List<String> names() {
        return names;
    }
}
