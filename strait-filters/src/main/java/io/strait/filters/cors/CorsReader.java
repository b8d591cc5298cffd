package io.strait.filters.cors;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import io.strait.filters.HttpSyntax;
import java.time.Duration;
import java.util.List;

/**
 * Reads {@code - cors: {allowOrigins: [...], allowMethods: [...], allowHeaders: [...], exposeHeaders: [...],
 * allowCredentials: false, maxAge: 10m}}: every problem with its exact path, unknown fields are errors.
 */
public final class CorsReader implements FilterReader<CorsConfig> {
    @Override
    public String name() {
        return CorsFactory.NAME;
    }

    @Override
    public CorsConfig read(Node entry, String field, FilterReadContext context) {
        if (!entry.has(field)) {
            entry.skip(field);
            entry.error(field, "must be an object with allowOrigins, e.g. {allowOrigins: [\"https://app.example.com\"]}");
            return null;
        }
        Node n = entry.object(field);
        if (n == null) return null;
        int before = n.errors().size();
        List<String> origins = n.strings("allowOrigins");
        if (!n.has("allowOrigins") || origins.isEmpty() && n.errors().size() == before) {
            n.error("allowOrigins", "is required: the origins that may call, e.g. [\"https://app.example.com\"] or [\"*\"]");
        }
        for (int i = 0; i < origins.size(); i++) {
            String o = origins.get(i);
            String why = o.equals(CorsConfig.ANY)
                    ? origins.size() > 1 ? "'*' allows every origin: write it alone" : null
                    : OriginMatcher.check(o);
            if (why != null) n.error("allowOrigins[" + i + "]", why);
        }
        List<String> methods = n.has("allowMethods") ? tokens(n, "allowMethods", "a method") : CorsConfig.DEFAULT_METHODS;
        List<String> allowHeaders = tokens(n, "allowHeaders", "a header name");
        List<String> exposeHeaders = tokens(n, "exposeHeaders", "a header name");
        boolean credentials = n.bool("allowCredentials", false);
        if (credentials && origins.contains(CorsConfig.ANY)) {
            n.error("allowCredentials", "cannot be true with allowOrigins \"*\" (browsers refuse it): list the origins");
        }
        if (credentials && exposeHeaders.contains(CorsConfig.ANY)) {
            n.error("exposeHeaders", "cannot be \"*\" with allowCredentials true (browsers read it as a header name): list the headers");
        }
        Duration maxAge = n.duration("maxAge", null);
        if (maxAge != null && maxAge.toNanos() % 1_000_000_000L != 0) {
            n.error("maxAge", "must be whole seconds (Access-Control-Max-Age counts seconds)");
        }
        n.finish();
        if (n.errors().size() != before) return null;
        return new CorsConfig(origins, methods, allowHeaders, exposeHeaders, credentials, maxAge);
    }

    /** A list of tokens, or {@code ["*"]} alone. */
    private static List<String> tokens(Node n, String field, String what) {
        List<String> list = n.strings(field);
        for (int i = 0; i < list.size(); i++) {
            String s = list.get(i);
            if (s.equals(CorsConfig.ANY)) {
                if (list.size() > 1) n.error(field + "[" + i + "]", "'*' allows any: write it alone");
            } else if (!HttpSyntax.isToken(s)) {
                n.error(field + "[" + i + "]", "'" + s + "' is not " + what + " (RFC 9110 token)");
            }
        }
        return list;
    }
}
