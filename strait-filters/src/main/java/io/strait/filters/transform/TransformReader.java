package io.strait.filters.transform;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Names;
import io.strait.config.load.Node;
import io.strait.config.model.FilterConfig.Problem;
import io.strait.filters.headers.ValueTemplate;
import io.strait.proxy.filter.BodyAccess.OverLimit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@code - transform: {request: {headers, query, path, method, body}, response: {headers, body}}}. Each list
 * of changes is {@code {remove: [...], rename: {FROM: TO}, replace: {NAME: VALUE}, add: {...}, append: {...}}};
 * values are the {@code headers} filter's {@link ValueTemplate}s. Every error names its exact path, e.g.
 * {@code routes[0].filters[0].transform.request.body.add./a~: invalid JSON pointer: ...}.
 */
public final class TransformReader implements FilterReader<TransformConfig> {
    static final String CHANGES_NOTHING =
            "changes nothing: give request and/or response with headers, query, path, method or body changes";

    @Override
    public String name() {
        return TransformFactory.NAME;
    }

    @Override
    public TransformConfig read(Node entry, String field, FilterReadContext context) {
        if (!entry.has(field)) {
            entry.skip(field);
            entry.error(field, "must be an object with request and/or response, e.g. {request: {headers: {add: {X-Client: \"%client_ip%\"}}}}");
            return null;
        }
        Node n = entry.object(field);
        if (n == null) return null;
        int before = n.errors().size();
        TransformConfig.Request request = request(n, context);
        TransformConfig.Response response = response(n, context);
        n.finish();
        if (n.errors().size() != before) return null;
        TransformConfig config = new TransformConfig(request, response);
        List<Problem> problems = new ArrayList<>(config.problems());
        if (request != null && request.path() != null) captures(request.path(), context, problems);
        if (request != null && request.query() != null && context.onListener()) {
            // routing reads the query from the request line again: a listener's change would be lost
            problems.add(new Problem("request.query", "a listener's filters run before routing: change the query in a route's filters"));
        }
        if (request != null && request.body() != null && context.onListener()) {
            // the engine reads request bodies for a route's filters only
            problems.add(new Problem("request.body", "a listener's filters do not read request bodies: change them in a route's filters"));
        }
        for (Problem p : problems) n.error(p.field(), p.message());
        return problems.isEmpty() ? config : null;
    }

    private static TransformConfig.Request request(Node parent, FilterReadContext context) {
        Node r = parent.object("request");
        if (r == null) return null;
        TransformConfig.Ops headers = ops(r, "headers", context, true);
        TransformConfig.Ops query = ops(r, "query", context, false);
        TransformConfig.PathRewrite path = null;
        Node p = r.object("path");
        if (p != null) {
            path = new TransformConfig.PathRewrite(p.string("template", null), p.string("regex", null), p.string("replacement", null));
            p.finish();
        }
        String method = r.string("method", null);
        TransformConfig.Body body = body(r, context, false);
        r.finish();
        return new TransformConfig.Request(headers, query, path, method, body);
    }

    private static TransformConfig.Response response(Node parent, FilterReadContext context) {
        Node r = parent.object("response");
        if (r == null) return null;
        TransformConfig.Ops headers = ops(r, "headers", context, true);
        TransformConfig.Body body = body(r, context, true);
        for (String requestOnly : List.of("query", "path", "method")) {
            if (r.has(requestOnly)) {
                r.skip(requestOnly);
                r.error(requestOnly, "belongs to the request (a response has only headers and body)");
            }
        }
        r.finish();
        return new TransformConfig.Response(headers, body);
    }

    private static TransformConfig.Body body(Node parent, FilterReadContext context, boolean response) {
        Node b = parent.object("body");
        if (b == null) return null;
        long maxSize = b.size("maxSize", TransformConfig.DEFAULT_MAX_SIZE);
        OverLimit over = null;
        if (response) {
            over = b.enumValue("overLimit", OverLimit.class, OverLimit.PASS, s -> Names.parse(OverLimit.class, s));
        } else if (b.has("overLimit")) {
            b.skip("overLimit");
            b.error("overLimit", "is for the response: a request body over maxSize is always refused (413)");
        } else {
            b.skip("overLimit"); // shown as null by GET /config
        }
        TransformConfig.Ops ops = verbs(b, context, false);
        b.finish();
        return new TransformConfig.Body(maxSize, over, ops.remove(), ops.rename(), ops.replace(), ops.add(), ops.append());
    }

    private static TransformConfig.Ops ops(Node parent, String field, FilterReadContext context, boolean headers) {
        Node o = parent.object(field);
        if (o == null) return null;
        TransformConfig.Ops ops = verbs(o, context, headers);
        o.finish();
        return ops;
    }

    /** The five verbs of one node (the caller finishes it). */
    private static TransformConfig.Ops verbs(Node o, FilterReadContext context, boolean headers) {
        List<String> remove = o.strings("remove");
        Map<String, String> rename = o.stringMap("rename");
        Map<String, ValueTemplate> replace = values(o, "replace", context);
        Map<String, ValueTemplate> add = values(o, "add", context);
        Map<String, ValueTemplate> append = values(o, "append", context);
        if (o.has("set")) {
            o.skip("set");
            o.error("set", "the transform filter follows Kong: replace changes what is present, add creates what is absent"
                    + (headers ? " (to set a header either way, remove it and add it)" : ""));
        }
        return new TransformConfig.Ops(remove, rename, replace, add, append);
    }

    private static Map<String, ValueTemplate> values(Node o, String verb, FilterReadContext context) {
        Map<String, ValueTemplate> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : o.stringMap(verb).entrySet()) {
            List<String> errors = new ArrayList<>();
            ValueTemplate t = ValueTemplate.parse(e.getValue(), context.pathParams(), errors);
            for (String err : errors) o.error(verb + "." + e.getKey(), err);
            if (t != null) out.put(e.getKey(), t);
        }
        return out;
    }

    /** A path template's captures must be the route's; a listener's filter runs before routing: no path to change. */
    private static void captures(TransformConfig.PathRewrite path, FilterReadContext context, List<Problem> out) {
        if (context.onListener()) {
            out.add(new Problem("request.path", "a listener's filters run before routing: rewrite the path in a route's filters"));
            return;
        }
        if (path.template() == null) return;
        Set<String> used;
        try {
            used = PathTemplate.parse(path.template()).captures();
        } catch (IllegalArgumentException e) {
            return; // reported by problems()
        }
        for (String name : used) {
            if (context.pathParams().contains(name)) continue;
            out.add(new Problem("request.path.template", "{" + name + "}: " + (context.pathParams().isEmpty()
                    ? "this filter's route has no path template captures (match: {pathTemplate: /users/{" + name + "}})"
                    : "the route's pathTemplate has no {" + name + "} (it has " + String.join(", ", new TreeSet<>(context.pathParams())) + ")")));
        }
    }
}
