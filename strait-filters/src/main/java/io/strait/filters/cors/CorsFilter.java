package io.strait.filters.cors;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.strait.filters.HttpSyntax;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ReplyReason;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CORS protocol of the Fetch standard at the gateway. A preflight ({@code OPTIONS} with {@code Origin}
 * and {@code Access-Control-Request-Method}) is answered here and never goes upstream: {@code 204} with
 * the {@code Access-Control-Allow-*} headers when origin, method and headers are allowed, else
 * {@code 403 cors_forbidden} naming what was refused. Any other request goes on; its response (the
 * upstream's or a local reply such as a 401 or 503) gets {@code Access-Control-Allow-Origin} (the
 * origin echoed, or {@code *} when every origin may call without credentials), {@code -Allow-Credentials}
 * and {@code -Expose-Headers} when its origin is allowed, and none (the upstream's removed) when not, so
 * the browser keeps the page from reading it. {@code Vary: Origin} is added to every response whose
 * headers depend on the origin, kept with the {@code Vary} values already there.
 */
final class CorsFilter implements HttpFilter {
    /** What the filter saw on the request: the {@code Origin}, and whether a preflight was answered. */
    private record Seen(String origin, boolean preflight) {}

    private static final AttributeKey<Seen> SEEN = AttributeKey.valueOf(CorsFilter.class, "seen");
    private static final String VARY_ORIGIN = "Origin";
    private static final String PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
    private static final String TRUE = "true";

    private final CorsConfig config;
    private final OriginMatcher origins;
    private final boolean anyOrigin;
    private final boolean anyMethod;
    private final boolean anyHeader;
    /** Lower case; empty for {@code *}. */
    private final Set<String> allowHeaders = new HashSet<>();
    private final String methodsValue;
    private final String exposeValue;
    private final String maxAgeValue;

    CorsFilter(CorsConfig config) {
        this.config = config;
        this.anyOrigin = config.anyOrigin();
        this.origins = new OriginMatcher(anyOrigin ? List.of() : config.allowOrigins());
        this.anyMethod = config.allowMethods().contains(CorsConfig.ANY);
        this.anyHeader = config.allowHeaders().contains(CorsConfig.ANY);
        for (String h : config.allowHeaders()) allowHeaders.add(h.toLowerCase(Locale.ROOT));
        this.methodsValue = String.join(", ", config.allowMethods());
        this.exposeValue = config.exposeHeaders().isEmpty() ? null : String.join(", ", config.exposeHeaders());
        this.maxAgeValue = config.maxAge() == null ? null : Long.toString(config.maxAge().toSeconds());
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        HttpHeaders h = ctx.headers();
        String origin = h.get(HttpHeaderNames.ORIGIN);
        if (origin == null) return FilterResult.CONTINUE;
        String requestedMethod = h.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (requestedMethod == null || !HttpMethod.OPTIONS.equals(ctx.request().method())) {
            ctx.attr(SEEN).set(new Seen(origin, false));
            return FilterResult.CONTINUE;
        }
        ctx.attr(SEEN).set(new Seen(origin, true));
        return preflight(origin, requestedMethod, h.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS));
    }

    private FilterResult preflight(String origin, String method, String requestedHeaders) {
        if (!allowed(origin)) return forbidden("origin '" + origin + "' is not allowed");
        if (!anyMethod && !config.allowMethods().contains(method)) {
            return forbidden("method '" + method + "' is not allowed (allowed: " + methodsValue + ")");
        }
        String headers = null;
        if (requestedHeaders != null && !requestedHeaders.isBlank()) {
            List<String> names = new ArrayList<>();
            for (String part : requestedHeaders.split(",")) {
                String name = part.strip();
                if (name.isEmpty()) continue;
                if (!HttpSyntax.isToken(name)) return forbidden("Access-Control-Request-Headers is not a list of header names");
                if (!anyHeader && !allowHeaders.contains(name.toLowerCase(Locale.ROOT))) {
                    return forbidden("header '" + name + "' is not allowed"
                            + (allowHeaders.isEmpty() ? " (no request headers are)" : " (allowed: " + String.join(", ", config.allowHeaders()) + ")"));
                }
                names.add(name);
            }
            if (!names.isEmpty()) headers = String.join(", ", names);
        }
        List<Map.Entry<String, String>> out = new ArrayList<>(6);
        out.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN.toString(), allowOriginValue(origin)));
        if (config.allowCredentials()) out.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS.toString(), TRUE));
        out.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS.toString(), anyMethod ? method : methodsValue));
        if (headers != null) out.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS.toString(), headers));
        if (maxAgeValue != null) out.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE.toString(), maxAgeValue));
        out.add(Map.entry(HttpHeaderNames.VARY.toString(), PREFLIGHT_VARY));
        return FilterResult.respond(ReplyReason.CORS, HttpResponseStatus.NO_CONTENT, "cors_preflight", "preflight answered", out);
    }

    private static FilterResult forbidden(String why) {
        return FilterResult.respond(ReplyReason.CORS, HttpResponseStatus.FORBIDDEN, "cors_forbidden", "CORS preflight refused: " + why,
                List.of(Map.entry(HttpHeaderNames.VARY.toString(), PREFLIGHT_VARY)));
    }

    private boolean allowed(String origin) {
        return anyOrigin || origins.matches(origin);
    }

    /** {@code *} only when every origin may call and no credentials are sent; else the origin itself. */
    private String allowOriginValue(String origin) {
        return anyOrigin && !config.allowCredentials() ? CorsConfig.ANY : origin;
    }

    @Override
    public void onResponse(RequestContext ctx, HttpResponse response) {
        Seen seen = ctx.attrValue(SEEN);
        HttpHeaders h = response.headers();
        if (seen != null && seen.preflight()) return; // the preflight's own answer carries its headers
        if (anyOrigin) {
            // the same answer for every origin (and none): no Vary needed
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, CorsConfig.ANY);
            h.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS);
            if (exposeValue != null) h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposeValue);
            return;
        }
        addVaryOrigin(h);
        if (seen != null && origins.matches(seen.origin())) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, seen.origin());
            if (config.allowCredentials()) h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            else h.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS);
            if (exposeValue != null) h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposeValue);
            else h.remove(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS);
        } else {
            // not a CORS request, or an origin this policy refuses: the gateway's policy is the one in force
            h.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN);
            h.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS);
            h.remove(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS);
        }
    }

    /** Adds {@code Origin} to the response's {@code Vary} (one field line, values kept), unless it is there or {@code *}. */
    static void addVaryOrigin(HttpHeaders h) {
        List<String> vary = h.getAll(HttpHeaderNames.VARY);
        if (vary.isEmpty()) {
            h.set(HttpHeaderNames.VARY, VARY_ORIGIN);
            return;
        }
        for (String line : vary) {
            for (String token : line.split(",")) {
                String t = token.strip();
                if (t.equals("*") || t.equalsIgnoreCase(VARY_ORIGIN)) return;
            }
        }
        h.set(HttpHeaderNames.VARY, String.join(", ", vary) + ", " + VARY_ORIGIN);
    }
}
