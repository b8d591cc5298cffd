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
 * letter case and removes every occurrence, so neither "x-user-id" nor a repeated header survives; names
 * that match once underscores are read as dashes ({@code X_User_ID}) are removed too.
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
        removeUnderscoreVariants(h);
        return FilterResult.CONTINUE;
    }

    /**
     * CGI-style servers (WSGI, Rack, PHP) map both {@code X-User-ID} and {@code X_User_ID} to {@code HTTP_X_USER_ID}:
     * a client's {@code X_User_ID} would pass for the gateway's header there. Names with an underscore are rare, so
     * the common request costs one scan of the header names and nothing else.
     */
    private void removeUnderscoreVariants(HttpHeaders h) {
        List<String> spoofed = null;
        for (var it = h.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (indexOf(name, '_') < 0) continue;
            String dashed = name.toString().replace('_', '-');
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).equalsIgnoreCase(dashed)) {
                    if (spoofed == null) spoofed = new java.util.ArrayList<>(2);
                    spoofed.add(name.toString());
                    break;
                }
            }
        }
        if (spoofed != null) spoofed.forEach(h::remove);
    }

    private static int indexOf(CharSequence s, char c) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) return i;
        return -1;
    }

    public List<String> names() {
        return names;
    }
}
