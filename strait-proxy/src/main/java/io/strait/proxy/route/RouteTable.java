package io.strait.proxy.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes of one host tier, by path kind: exact paths and prefixes in hash maps, templates in a
 * {@link TemplateTrie}, regexes in a list. {@link #match} tries exact, then template, then prefix (longest first),
 * then regex (declared order); within one path spec, routes in declared order.
 */
final class RouteTable {
    private static final Route[] NONE = new Route[0];

    private final RegionMap<Route[]> exact;
    private final RegionMap<Route[]> prefixes;
    private final int longestPrefix;
    private final TemplateTrie templates;
    private final Route[] regexes;

    private RouteTable(Builder b) {
        exact = b.exact.isEmpty() ? null : new RegionMap<>(arrays(b.exact));
        prefixes = b.prefixes.isEmpty() ? null : new RegionMap<>(arrays(b.prefixes));
        longestPrefix = b.prefixes.keySet().stream().mapToInt(String::length).max().orElse(0);
        templates = b.templates.build();
        regexes = b.regexes.toArray(NONE);
    }

    private static Map<String, Route[]> arrays(Map<String, List<Route>> lists) {
        Map<String, Route[]> out = new LinkedHashMap<>();
        lists.forEach((k, v) -> out.put(k, v.toArray(NONE)));
        return out;
    }

    /** The first route in precedence order whose path and conditions match, or null. */
    Route match(RouteRequest req, String path) {
        if (exact != null) {
            Route r = first(exact.get(path), req);
            if (r != null) return r;
        }
        if (templates != null) {
            Route r = templates.match(path, req);
            if (r != null) return r;
        }
        if (prefixes != null) {
            Route r = matchPrefix(req, path);
            if (r != null) return r;
        }
        for (Route r : regexes) {
            if (r.regex().matcher(path).matches() && r.accepts(req)) return r;
        }
        return null;
    }

    /**
     * Probes every segment boundary of the path, longest first: {@code path[0, len)} is a candidate key when it is
     * the whole path, ends with '/', or is followed by '/'. Any prefix found there matches on a segment boundary.
     * The String hash of each shorter key is derived from the longer one by removing its last character.
     */
    private Route matchPrefix(RouteRequest req, String path) {
        int n = path.length();
        int h = path.hashCode();
        for (int len = n; len >= 1; len--) {
            char last = path.charAt(len - 1);
            if (len <= longestPrefix && (len == n || last == '/' || path.charAt(len) == '/')) {
                Route r = first(prefixes.get(path, 0, len, h), req);
                if (r != null) return r;
            }
            h = (h - last) * RegionMap.INV31;
        }
        return null;
    }

    private static Route first(Route[] candidates, RouteRequest req) {
        if (candidates == null) return null;
        for (Route r : candidates) {
            if (r.accepts(req)) return r;
        }
        return null;
    }

    /** Collects the routes of one tier in declaration order. */
    static final class Builder {
        private final Map<String, List<Route>> exact = new LinkedHashMap<>();
        private final Map<String, List<Route>> prefixes = new LinkedHashMap<>();
        private final TemplateTrie.Builder templates = new TemplateTrie.Builder();
        private final List<Route> regexes = new ArrayList<>();

        void add(Route r) {
            switch (r.kind()) {
                case EXACT -> exact.computeIfAbsent(r.path(), k -> new ArrayList<>()).add(r);
                case PREFIX -> prefixes.computeIfAbsent(r.path(), k -> new ArrayList<>()).add(r);
                case TEMPLATE -> templates.add(r);
                case REGEX -> regexes.add(r);
            }
        }

        RouteTable build() {
            return new RouteTable(this);
        }
    }
}
