package io.strait.proxy.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Template routes in a trie of path segments: a literal child per segment text (hash lookup), one parameter
 * child, the routes whose template ends at a node and those with a {@code {**}} there. A match walks the request's
 * segments once per trie branch that fits, so its cost depends on the path and the templates that share its
 * literals, not on the number of routes; of all routes found it keeps the one {@link Route#outranks} all others
 * among those whose conditions hold.
 */
final class TemplateTrie {
    private static final Route[] NONE = new Route[0];

    private final RegionMap<TemplateTrie> literals;
    private final TemplateTrie param;
    private final Route[] ending;
    private final Route[] catchAll;

    private TemplateTrie(Builder b) {
        Map<String, TemplateTrie> children = new HashMap<>();
        b.literals.forEach((text, child) -> children.put(text, new TemplateTrie(child)));
        literals = children.isEmpty() ? null : new RegionMap<>(children);
        param = b.param == null ? null : new TemplateTrie(b.param);
        ending = b.ending.toArray(NONE);
        catchAll = b.catchAll.toArray(NONE);
    }

    /** The best template route for {@code path} whose conditions hold, or null. */
    Route match(String path, RouteRequest req) {
        return search(path, 1, req, null);
    }

    /** {@code pos} is where the next segment starts; past the end of {@code path} when none is left. */
    private Route search(String path, int pos, RouteRequest req, Route best) {
        for (Route r : catchAll) {
            if (r.outranks(best) && r.accepts(req)) best = r;
        }
        int n = path.length();
        if (pos > n) {
            for (Route r : ending) {
                if (r.outranks(best) && r.accepts(req)) best = r;
            }
            return best;
        }
        int end = path.indexOf('/', pos);
        if (end < 0) end = n;
        if (literals != null) {
            TemplateTrie child = literals.get(path, pos, end, RegionMap.hash(path, pos, end));
            if (child != null) best = child.search(path, end + 1, req, best);
        }
        if (param != null && end > pos) best = param.search(path, end + 1, req, best);
        return best;
    }

    /** Collects template routes (in declaration order) before freezing them into a trie. */
    static final class Builder {
        private final Map<String, Builder> literals = new HashMap<>();
        private Builder param;
        private final List<Route> ending = new ArrayList<>();
        private final List<Route> catchAll = new ArrayList<>();
        private boolean empty = true;

        void add(Route route) {
            empty = false;
            Builder node = this;
            for (PathTemplate.Segment s : route.template().segments()) {
                if (s.param()) {
                    if (node.param == null) node.param = new Builder();
                    node = node.param;
                } else {
                    node = node.literals.computeIfAbsent(s.text(), k -> new Builder());
                }
            }
            (route.template().catchAll() ? node.catchAll : node.ending).add(route);
        }

        /** The trie, or null when no template was added. */
        TemplateTrie build() {
            return empty ? null : new TemplateTrie(this);
        }
    }
}
