package io.strait.config.load;

import io.strait.config.model.AuthConfig;
import io.strait.config.model.FilterConfig;
import io.strait.config.model.FilterSpec;
import io.strait.config.model.RouteAuth;
import io.strait.config.model.RouteRateLimit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the {@code filters:} lists of routes and listeners: each entry is one filter, written as a
 * one-key object {@code {NAME: SETTINGS}}, in the order they run. A route's short forms {@code auth:},
 * {@code rateLimit:} and {@code version:} become the same entries, in that order; a route that declares
 * {@code filters:} writes them in that list instead, so the order is always the one written.
 */
final class FilterListReader {
    private final FilterCatalog catalog;
    private final AuthConfig auth;
    private final RateLimitReader rateLimits;
    private final VersionSetReader versions;
    private final Path baseDir;

    FilterListReader(FilterCatalog catalog, AuthConfig auth, RateLimitReader rateLimits, VersionSetReader versions, Path baseDir) {
        this.catalog = catalog;
        this.auth = auth;
        this.rateLimits = rateLimits;
        this.versions = versions;
        this.baseDir = baseDir;
    }

    /** A route's filters: its short forms, or its {@code filters:} list. */
    List<FilterSpec> route(Node route, String name, Set<String> pathParams, Set<String> methods, java.time.Duration timeout) {
        FilterReadContext ctx = new FilterReadContext(name, pathParams, baseDir, methods, route.path(), timeout);
        boolean declared = route.has("filters");
        List<FilterSpec> out = new ArrayList<>();
        for (String shortForm : List.of(FilterCatalog.AUTH, FilterCatalog.RATE_LIMIT, FilterCatalog.VERSION)) {
            if (!route.has(shortForm)) {
                route.skip(shortForm);
                continue;
            }
            if (declared) {
                route.skip(shortForm);
                route.error(shortForm, "this route declares filters: write " + shortForm
                        + " in that list, where it should run");
                continue;
            }
            FilterSpec spec = entry(route, shortForm, route.path(shortForm), ctx);
            if (spec != null) out.add(spec);
        }
        if (declared) out.addAll(list(route, ctx));
        else route.skip("filters");
        // a filter that answers every request may be written as a route field of its name: it runs last
        for (String terminal : catalog.terminalNames()) {
            if (!route.has(terminal)) {
                route.skip(terminal);
                continue;
            }
            FilterSpec spec = entry(route, terminal, route.path(terminal), ctx);
            if (spec != null) out.add(spec);
        }
        return List.copyOf(out);
    }

    /** Whether this process has filters that answer every request themselves. */
    boolean anyTerminal() {
        return !catalog.terminalNames().isEmpty();
    }

    /**
     * Whether the route has a filter that answers every request itself (written, even if its settings have
     * errors: the route's missing cluster is then no second error).
     */
    boolean terminal(Node route, List<FilterSpec> specs) {
        for (String t : catalog.terminalNames()) {
            if (route.has(t)) return true;
        }
        return specs.stream().anyMatch(s -> catalog.terminal(s.name()));
    }

    /** A listener's {@code filters:} list: they run on every request, before the route is chosen. */
    List<FilterSpec> listener(Node listener) {
        if (!listener.has("filters")) {
            listener.skip("filters");
            return List.of();
        }
        return List.copyOf(list(listener, new FilterReadContext(null, Set.of(), baseDir)));
    }

    private List<FilterSpec> list(Node owner, FilterReadContext ctx) {
        List<FilterSpec> out = new ArrayList<>();
        for (Node e : owner.objects("filters")) {
            List<String> names = e.fieldNames();
            if (names.size() != 1) {
                for (String f : names) e.skip(f);
                e.error("", names.isEmpty() ? "an empty entry: write one filter as {NAME: SETTINGS} (known: "
                        + String.join(", ", catalog.names()) + ")"
                        : "one filter per entry (this one names " + String.join(", ", names) + ")");
                continue;
            }
            FilterSpec spec = entry(e, names.get(0), e.path(), ctx);
            e.finish();
            if (spec != null) out.add(spec);
        }
        return out;
    }

    /**
     * Reads the filter named {@code name} from {@code node}'s field of that name; null when unknown or invalid.
     * {@code path} names the entry in later errors (the factory's, at startup or reload).
     */
    private FilterSpec entry(Node node, String name, String path, FilterReadContext ctx) {
        FilterConfig config;
        switch (name) {
            case FilterCatalog.AUTH -> {
                if (ctx.onListener()) return onlyOnRoutes(node, name);
                RouteAuth a = AuthReader.route(node, auth);
                if (a == null || a.mode() == RouteAuth.Mode.NONE) return null;
                config = a;
            }
            case FilterCatalog.RATE_LIMIT -> {
                if (ctx.onListener()) return onlyOnRoutes(node, name);
                int before = node.errors().size();
                List<String> policies = rateLimits.route(node);
                if (policies.isEmpty() || node.errors().size() != before) return null;
                config = new RouteRateLimit(policies);
            }
            case FilterCatalog.VERSION -> {
                if (ctx.onListener()) return onlyOnRoutes(node, name);
                config = versions.route(node, name);
                if (config == null) return null;
            }
            default -> {
                FilterReader<?> reader = catalog.reader(name);
                if (reader == null) {
                    node.skip(name);
                    String hint = Names.closest(name, catalog.names());
                    node.error(name, "unknown filter '" + name + "'" + (hint != null ? " (did you mean '" + hint + "'?)"
                            : " (this process knows " + String.join(", ", catalog.names()) + ")"));
                    return null;
                }
                int before = node.errors().size();
                config = reader.read(node, name, ctx);
                if (config == null || node.errors().size() != before) return null;
            }
        }
        return new FilterSpec(name, config, path);
    }

    private static FilterSpec onlyOnRoutes(Node node, String name) {
        node.skip(name);
        node.error(name, "only routes take the " + name + " filter (it needs the route to know who may call what)");
        return null;
    }
}
