package io.strait.filters.aggregate;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import io.strait.config.model.FilterConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a route's {@code aggregate: {timeout: 2s, maxResponseSize: 1MiB, merge: nested|merged, calls: {KEY:
 * {cluster, path, query}}}}. Placeholders must name the route's template captures or known variables; the
 * route must match GET and HEAD only (or any method: others are refused with 405). Cluster names are checked
 * against the clusters section with the others ({@link AggregateConfig#clusterReferences()}).
 */
public final class AggregateReader implements FilterReader<AggregateConfig> {
    /** The methods an aggregate route serves: reads only, writes are never fanned out. */
    static final Set<String> METHODS = Set.of("GET", "HEAD");

    @Override
    public String name() {
        return AggregateFactory.NAME;
    }

    @Override
    public AggregateConfig read(Node entry, String field, FilterReadContext context) {
        Node n = entry.object(field);
        if (n == null) {
            if (!entry.has(field)) {
                entry.skip(field);
                entry.error(field, "must be an object with calls, e.g. {calls: {user: {cluster: users, path: /users/{id}}}}");
            }
            return null;
        }
        int before = n.errors().size();
        java.time.Duration timeout = n.duration("timeout", AggregateConfig.DEFAULT_TIMEOUT);
        long max = n.size("maxResponseSize", AggregateConfig.DEFAULT_MAX_RESPONSE_SIZE);
        String mergeText = n.string("merge", "nested");
        AggregateConfig.Merge merge = switch (mergeText) {
            case "nested" -> AggregateConfig.Merge.NESTED;
            case "merged" -> AggregateConfig.Merge.MERGED;
            default -> {
                n.error("merge", "unknown value '" + mergeText + "'; expected nested or merged");
                yield AggregateConfig.Merge.NESTED;
            }
        };
        Map<String, AggregateConfig.Call> calls = new LinkedHashMap<>();
        Map<String, Node> callNodes = n.namedObjects("calls");
        for (Map.Entry<String, Node> e : callNodes.entrySet()) {
            Node c = e.getValue();
            String cluster = c.requiredString("cluster");
            String path = c.requiredString("path");
            Map<String, String> query = c.stringMap("query");
            c.finish();
            if (path != null) {
                Map<String, String> problems = new LinkedHashMap<>();
                CallTarget.parse(path, query, context.pathParams(), problems);
                problems.forEach(c::error);
            }
            calls.put(e.getKey(), new AggregateConfig.Call(cluster, path, query));
        }
        if (!n.has("calls")) n.skip("calls");
        n.finish();
        methods(entry, context);
        String late = timeoutProblem(timeout, context.routeTimeout());
        if (late != null) n.error("timeout", late);
        AggregateConfig config = new AggregateConfig(timeout, max, calls, merge);
        if (n.errors().size() == before) {
            for (FilterConfig.Problem p : config.problems()) n.error(p.field(), p.message());
        }
        return n.errors().size() == before ? config : null;
    }

    /** A route that names methods names only GET and HEAD. */
    private static void methods(Node entry, FilterReadContext context) {
        if (context.onListener()) {
            entry.error(AggregateFactory.NAME, "only routes take the aggregate filter");
            return;
        }
        String problem = methodProblem(context.methods());
        if (problem != null && context.routePath() != null) entry.errors().add(context.routePath() + ".match.methods", problem);
    }

    /** Why a call timeout does not fit in the route's (null, or 0: none), or null. */
    static String timeoutProblem(java.time.Duration timeout, java.time.Duration route) {
        if (route == null || route.isZero() || timeout == null || timeout.compareTo(route) < 0) return null;
        return "must be less than the route's timeout (" + route.toMillis() + "ms), which bounds the whole answer";
    }

    /** What is wrong with an aggregate route's methods, or null. */
    static String methodProblem(Set<String> methods) {
        var others = methods.stream().filter(m -> !METHODS.contains(m.toUpperCase(Locale.ROOT))).sorted().toList();
        return others.isEmpty() ? null
                : "an aggregate route serves GET and HEAD only (writes are never fanned out); found " + String.join(", ", others);
    }
}
