package io.strait.proxy.route;

import io.strait.config.model.RouteConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Picks the route for a request. Built once per config load from validated routes; immutable and thread-safe.
 *
 * <p>Precedence (the documented contract):
 * <ol>
 *   <li><b>Host tiers.</b> First the routes whose {@code hosts} name the request host exactly; then the routes with a
 *       matching {@code *.suffix}, longest suffix first ({@code *.example.com} matches {@code a.example.com} and
 *       {@code a.b.example.com}, not {@code example.com}); then the routes without {@code hosts}. The first tier
 *       that yields a match wins.</li>
 *   <li><b>Path kind, within a tier:</b> exact, then template, then prefix, then regex.
 *       <ul>
 *         <li>Templates: more literal segments first, then more segments (a final {@code {**}} does not count),
 *             then templates without {@code {**}}, then declaration order. {@code {name}} matches one non-empty
 *             segment; a final {@code {**}} matches the rest, zero or more segments.</li>
 *         <li>Prefixes match on segment boundaries: {@code /api/users} matches {@code /api/users} and
 *             {@code /api/users/7}, not {@code /api/usersX}; a prefix ending in {@code /} matches everything under
 *             it; {@code /} matches every path. Longest prefix first.</li>
 *         <li>Regexes must match the whole path; tried in declaration order.</li>
 *       </ul></li>
 *   <li>Routes with the same path spec are tried in declaration order.</li>
 *   <li>A route whose method, header or query conditions fail does not end the search: the next route in this order
 *       is tried (an exact {@code /x} for POST does not hide a prefix {@code /} from a GET of {@code /x}).</li>
 * </ol>
 * Header conditions use the first value of the header; query conditions decode the raw query, and only when a
 * route being tried has one. A route with an API {@code version} under a header, query or media-type version set
 * takes only requests of its version ({@link VersionCondition}); under a path-scheme set whose {@code default} it
 * serves, its path without the version segment is matched too ({@link DefaultVersionAlias}), after every declared
 * route of that path.
 *
 * <p>Cost: hosts and exact paths are hash lookups, prefixes one hash probe per segment boundary of the path,
 * templates a walk of a segment trie; none grows with the number of routes. Only regex routes are scanned one by
 * one, so keep them few. Matching allocates nothing for exact and prefix routes except what regex and query
 * conditions need; a template match allocates its parameter map.
 */
public final class Router {
    private final List<Route> routes;
    private final RegionMap<RouteTable> exactHosts;
    /** Keyed by the suffix with its leading dot ({@code .example.com}). */
    private final RegionMap<RouteTable> wildcardHosts;
    private final RouteTable anyHost;

    private Router(List<Route> routes, Map<String, RouteTable> exact, Map<String, RouteTable> wildcard,
                   RouteTable anyHost) {
        this.routes = routes;
        this.exactHosts = exact.isEmpty() ? null : new RegionMap<>(exact);
        this.wildcardHosts = wildcard.isEmpty() ? null : new RegionMap<>(wildcard);
        this.anyHost = anyHost;
    }

    /** Compiles validated routes; throws IllegalArgumentException only for config that validation should refuse. */
    public static Router build(List<RouteConfig> configs) {
        List<Route> routes = new ArrayList<>(configs.size());
        Map<String, RouteTable.Builder> exact = new LinkedHashMap<>();
        Map<String, RouteTable.Builder> wildcard = new LinkedHashMap<>();
        RouteTable.Builder any = new RouteTable.Builder();
        List<Route> aliases = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            Route r = new Route(configs.get(i), i);
            routes.add(r);
            add(r, exact, wildcard, any);
            Route alias = DefaultVersionAlias.of(configs.get(i), configs.size() + i);
            if (alias != null) aliases.add(alias);
        }
        for (Route alias : aliases) add(alias, exact, wildcard, any); // after every declared route: those come first
        return new Router(Collections.unmodifiableList(routes), built(exact), built(wildcard), any.build());
    }

    private static void add(Route r, Map<String, RouteTable.Builder> exact, Map<String, RouteTable.Builder> wildcard,
                            RouteTable.Builder any) {
        List<String> hosts = r.config().match().hosts();
        if (hosts == null || hosts.isEmpty()) {
            any.add(r);
            return;
        }
        for (String host : new LinkedHashSet<>(hosts)) {
            if (host.startsWith("*.")) {
                wildcard.computeIfAbsent(host.substring(1), k -> new RouteTable.Builder()).add(r);
            } else {
                exact.computeIfAbsent(host, k -> new RouteTable.Builder()).add(r);
            }
        }
    }

    private static Map<String, RouteTable> built(Map<String, RouteTable.Builder> builders) {
        Map<String, RouteTable> out = new LinkedHashMap<>();
        builders.forEach((k, b) -> out.put(k, b.build()));
        return out;
    }

    /** Every route, in declaration order. */
    public List<Route> routes() {
        return routes;
    }

    /** The route for {@code req}, or null when none matches (a 404). Never throws for a normalized path. */
    public RouteMatchResult match(RouteRequest req) {
        String path = req.path();
        if (path == null || path.isEmpty() || path.charAt(0) != '/') return null;
        String host = req.host();
        if (host != null && !host.isEmpty()) {
            Route r = matchHost(req, host, path);
            if (r != null) return r.result(path);
        }
        Route r = anyHost.match(req, path);
        return r == null ? null : r.result(path);
    }

    private Route matchHost(RouteRequest req, String host, String path) {
        if (exactHosts != null) {
            RouteTable t = exactHosts.get(host);
            if (t != null) {
                Route r = t.match(req, path);
                if (r != null) return r;
            }
        }
        if (wildcardHosts == null) return null;
        // suffixes from the dot after the first label, longest first; the String hash of host[i, n) is kept
        // by removing each leading character: h -= c * 31^(n-i-1)
        int n = host.length();
        int h = host.hashCode();
        int pow = 1;
        for (int i = 1; i < n; i++) pow *= 31;
        for (int i = 0; i < n; i++) {
            char c = host.charAt(i);
            if (c == '.' && i > 0) {
                RouteTable t = wildcardHosts.get(host, i, n, h);
                if (t != null) {
                    Route r = t.match(req, path);
                    if (r != null) return r;
                }
            }
            h -= c * pow;
            pow *= RegionMap.INV31;
        }
        return null;
    }

    @Override
    public String toString() {
        return "Router[" + routes.size() + " routes]";
    }
}
