package io.strait.proxy.route;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.config.model.RouteMatch.ValueMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds RouteConfig records and requests for router tests. */
final class TestRoutes {
    private final String name;
    private final PathKind kind;
    private final String path;
    private List<String> hosts = List.of();
    private Set<String> methods = Set.of();
    private final List<ValueMatch> headers = new ArrayList<>();
    private final List<ValueMatch> query = new ArrayList<>();
    private final List<ValueMatch> cookies = new ArrayList<>();
    private String rewrite;

    private TestRoutes(String name, PathKind kind, String path) {
        this.name = name;
        this.kind = kind;
        this.path = path;
    }

    static TestRoutes exact(String name, String path) {
        return new TestRoutes(name, PathKind.EXACT, path);
    }

    static TestRoutes prefix(String name, String path) {
        return new TestRoutes(name, PathKind.PREFIX, path);
    }

    static TestRoutes template(String name, String path) {
        return new TestRoutes(name, PathKind.TEMPLATE, path);
    }

    static TestRoutes regex(String name, String path) {
        return new TestRoutes(name, PathKind.REGEX, path);
    }

    TestRoutes hosts(String... h) {
        hosts = List.of(h);
        return this;
    }

    TestRoutes methods(String... m) {
        methods = Set.of(m);
        return this;
    }

    TestRoutes header(String n, ValueMatch.Op op, String value) {
        headers.add(new ValueMatch(n, op, value));
        return this;
    }

    TestRoutes query(String n, ValueMatch.Op op, String value) {
        query.add(new ValueMatch(n, op, value));
        return this;
    }

    TestRoutes cookie(String n, ValueMatch.Op op, String value) {
        cookies.add(new ValueMatch(n, op, value));
        return this;
    }

    TestRoutes rewrite(String prefix) {
        rewrite = prefix;
        return this;
    }

    RouteConfig build() {
        return new RouteConfig(name, new RouteMatch(kind, path, hosts, methods, List.copyOf(headers), List.copyOf(query),
                List.copyOf(cookies)),
                "cluster", rewrite == null ? null : new RouteConfig.Rewrite(rewrite, null), Duration.ZERO, null);
    }

    static Router router(TestRoutes... routes) {
        return Router.build(java.util.Arrays.stream(routes).map(TestRoutes::build).toList());
    }

    static RouteRequest get(String path) {
        return req(null, "GET", path, null, null);
    }

    static RouteRequest req(String host, String method, String path, String query, HttpHeaders headers) {
        return RouteRequest.of(host, method, path, query, headers);
    }

    static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) h.add(namesAndValues[i], namesAndValues[i + 1]);
        return h;
    }

    /** The matched route's name, or null for no match. */
    static String matched(Router router, RouteRequest req) {
        RouteMatchResult r = router.match(req);
        return r == null ? null : r.route().name();
    }
}
