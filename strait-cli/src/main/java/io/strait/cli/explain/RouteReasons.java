package io.strait.cli.explain;

import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.ValueMatch;
import io.strait.proxy.route.RouteRequest;
import io.strait.proxy.route.Router;
import java.util.List;
import java.util.Set;

/**
 * Why one route does not take a request, found by asking the engine's own {@link Router} about that route alone with
 * its conditions added back one at a time: path, then hosts, methods, headers, query, cookies, and the API version its
 * filters give it. The first one that makes the match fail is the reason. There is no second copy of the matching
 * rules here: each answer is the router's.
 */
final class RouteReasons {
    private RouteReasons() {}

    /** Null when the route alone would take {@code req}; else the condition that fails, in words. */
    static String whyNot(RouteConfig r, RouteRequest req) {
        if (matches(r, req)) return null;
        RouteMatch m = r.match();
        RouteMatch path = new RouteMatch(m.pathKind(), m.path(), List.of(), Set.of(), List.of(), List.of(), List.of());
        if (!matches(without(r, path), req)) return "path: " + req.path() + " " + pathWords(m);
        RouteMatch hosts = new RouteMatch(m.pathKind(), m.path(), m.hosts(), Set.of(), List.of(), List.of(), List.of());
        if (!matches(without(r, hosts), req)) {
            return "host: " + (req.host() == null || req.host().isEmpty() ? "(none)" : req.host()) + " is not one of " + m.hosts();
        }
        RouteMatch methods = new RouteMatch(m.pathKind(), m.path(), m.hosts(), m.methods(), List.of(), List.of(), List.of());
        if (!matches(without(r, methods), req)) return "method: " + req.method() + " is not one of " + sorted(m.methods());
        RouteMatch headers = new RouteMatch(m.pathKind(), m.path(), m.hosts(), m.methods(), m.headers(), List.of(), List.of());
        if (!matches(without(r, headers), req)) return "headers: " + conditions(m.headers()) + " not met";
        RouteMatch query = new RouteMatch(m.pathKind(), m.path(), m.hosts(), m.methods(), m.headers(), m.query(), List.of());
        if (!matches(without(r, query), req)) return "query: " + conditions(m.query()) + " not met";
        if (!matches(without(r, m), req)) return "cookies: " + conditions(m.cookies()) + " not met";
        return "API version: the request does not ask for the version this route serves";
    }

    static boolean matches(RouteConfig r, RouteRequest req) {
        return Router.build(List.of(r)).match(req) != null;
    }

    /** The route with {@code match} and without its filters (the version filter is a match condition too). */
    private static RouteConfig without(RouteConfig r, RouteMatch match) {
        return new RouteConfig(r.name(), match, r.cluster(), r.rewrite(), r.timeout(), r.maxRequestBodySize(), List.of(),
                r.retries(), r.idleTimeout(), r.timeoutHeader(), r.traffic());
    }

    /** A set (methods) in a stable order: the model's sets have none. */
    static List<String> sorted(java.util.Collection<String> values) {
        return values.stream().sorted().toList();
    }

    private static String pathWords(RouteMatch m) {
        return switch (m.pathKind()) {
            case EXACT -> "is not " + m.path();
            case PREFIX -> "is not under " + m.path();
            case TEMPLATE -> "does not fit the template " + m.path();
            case REGEX -> "does not match the regex " + m.path();
        };
    }

    private static String conditions(List<ValueMatch> ms) {
        StringBuilder sb = new StringBuilder();
        for (ValueMatch v : ms) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(v.name()).append(' ').append(v.op().name().toLowerCase(java.util.Locale.ROOT));
            if (v.value() != null) sb.append(" '").append(v.value()).append('\'');
        }
        return sb.toString();
    }
}
