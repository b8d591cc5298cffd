package io.strait.proxy.tls;

import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One generation of a listener's certificates: an SslContext per SNI name, exact names first, then
 * one-label wildcards ({@code *.example.com} serves {@code a.example.com}, not {@code a.b.example.com}
 * nor {@code example.com}), else the default. Immutable: a reload builds a new table.
 */
final class SniTable {
    private final SslContext defaultContext;
    private final Map<String, SslContext> exact = new HashMap<>();
    private final Map<String, SslContext> wildcard = new HashMap<>();

    SniTable(SslContext defaultContext) {
        this.defaultContext = defaultContext;
    }

    /** Adds a name; the first certificate to claim a name keeps it. */
    void add(String name, SslContext ctx) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("*.")) wildcard.putIfAbsent(n.substring(2), ctx);
        else exact.putIfAbsent(n, ctx);
    }

    SslContext lookup(String hostname) {
        if (hostname == null || hostname.isEmpty()) return defaultContext;
        String h = hostname.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        SslContext ctx = exact.get(h);
        if (ctx != null) return ctx;
        int dot = h.indexOf('.');
        if (dot > 0) {
            ctx = wildcard.get(h.substring(dot + 1));
            if (ctx != null) return ctx;
        }
        return defaultContext;
    }

    SslContext defaultContext() {
        return defaultContext;
    }
}
