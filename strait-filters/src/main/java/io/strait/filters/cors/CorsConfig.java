package io.strait.filters.cors;

import io.strait.config.model.FilterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings of one {@code cors} filter, as written (checked by {@link CorsReader}).
 *
 * @param allowOrigins the origins that may call: {@code *} (any, only without credentials), exact origins
 *     ({@code https://app.example.com}), wildcard subdomains ({@code https://*.example.com}), any port
 *     ({@code http://localhost:*}) or {@code regex:} patterns matched against the whole origin
 * @param allowMethods the methods a preflight may ask for ({@code *}: any); default {@link #DEFAULT_METHODS}
 * @param allowHeaders the request headers a preflight may ask for, any case ({@code *}: any); default none
 * @param exposeHeaders the response headers the page may read besides the safelisted ones; default none
 * @param allowCredentials whether the page may send cookies and credentials (then never {@code *})
 * @param maxAge how long a browser may cache a preflight's answer; null: not sent (the browser's default, 5 s)
 */
public record CorsConfig(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
        List<String> exposeHeaders, boolean allowCredentials, Duration maxAge) implements FilterConfig {
    /** Fetch's CORS-safelisted methods, Spring's default: a route that needs PUT or DELETE says so. */
    public static final List<String> DEFAULT_METHODS = List.of("GET", "HEAD", "POST");
    /** Any origin, method or header. */
    public static final String ANY = "*";

    public CorsConfig {
        allowOrigins = List.copyOf(allowOrigins);
        allowMethods = List.copyOf(allowMethods);
        allowHeaders = List.copyOf(allowHeaders);
        exposeHeaders = List.copyOf(exposeHeaders);
    }

    /**
     * What {@link CorsReader} would refuse in these settings, in its words: a record built by code (a control
     * plane's push) is checked by the model validator through this. Tokens in the method and header lists are
     * not checked again here.
     */
    @Override
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (allowOrigins.isEmpty()) {
            out.add(new Problem("allowOrigins", "is required: the origins that may call, e.g. [\"https://app.example.com\"] or [\"*\"]"));
        }
        for (int i = 0; i < allowOrigins.size(); i++) {
            String o = allowOrigins.get(i);
            String why = o.equals(ANY) ? allowOrigins.size() > 1 ? "'*' allows every origin: write it alone" : null
                    : OriginMatcher.check(o);
            if (why != null) out.add(new Problem("allowOrigins[" + i + "]", why));
        }
        if (allowCredentials && allowOrigins.contains(ANY)) {
            out.add(new Problem("allowCredentials", "cannot be true with allowOrigins \"*\" (browsers refuse it): list the origins"));
        }
        if (allowCredentials && exposeHeaders.contains(ANY)) {
            out.add(new Problem("exposeHeaders",
                    "cannot be \"*\" with allowCredentials true (browsers read it as a header name): list the headers"));
        }
        if (maxAge != null && (maxAge.isNegative() || maxAge.getNano() != 0)) {
            out.add(new Problem("maxAge", "must be whole seconds (Access-Control-Max-Age counts seconds)"));
        }
        return out;
    }

    /** Whether every origin may call ({@code allowOrigins: ["*"]}). */
    public boolean anyOrigin() {
        return allowOrigins.equals(List.of(ANY));
    }
}
