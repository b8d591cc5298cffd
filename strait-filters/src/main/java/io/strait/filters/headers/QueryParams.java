package io.strait.filters.headers;

import io.strait.proxy.filter.RequestContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The first value of a query parameter, found by a scan of the raw query (no map built per request).
 * Public for the {@code transform} filter, which edits the query with the same reading of it.
 */
public final class QueryParams {
    private QueryParams() {}

    /**
     * The request's query: the one the exchange set when it routed the request (filters may have changed
     * it, e.g. an API key taken out), or before routing (a listener's filter) the request target's.
     */
    public static String of(RequestContext ctx) {
        String q = ctx.query();
        if (q != null || ctx.routeName() != null) return q;
        String uri = ctx.request().uri();
        int mark = uri.indexOf('?');
        if (mark < 0) return null;
        int hash = uri.indexOf('#', mark);
        return uri.substring(mark + 1, hash < 0 ? uri.length() : hash);
    }

    /** The first {@code name=value} of {@code query}, percent-decoded as UTF-8 with {@code +} as a space; null when absent. */
    public static String first(String query, String name) {
        if (query == null || query.isEmpty()) return null;
        int start = 0;
        int n = query.length();
        while (start <= n) {
            int amp = query.indexOf('&', start);
            int end = amp < 0 ? n : amp;
            int eq = query.indexOf('=', start);
            int keyEnd = eq < 0 || eq > end ? end : eq;
            if (decode(query, start, keyEnd).equals(name)) {
                return keyEnd == end ? "" : decode(query, keyEnd + 1, end);
            }
            if (amp < 0) break;
            start = amp + 1;
        }
        return null;
    }

    /** Percent-decodes {@code s[from, to)}; a malformed escape is kept as written. */
    public static String decode(String s, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to && plain; i++) {
            char c = s.charAt(i);
            plain = c != '%' && c != '+';
        }
        if (plain) return s.substring(from, to);
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '+') {
                out.write(' ');
            } else if (c == '%' && hex(s, i + 1, to) >= 0 && hex(s, i + 2, to) >= 0) {
                out.write(hex(s, i + 1, to) * 16 + hex(s, i + 2, to));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(String s, int i, int to) {
        if (i >= to) return -1;
        return Character.digit(s.charAt(i), 16);
    }
}
