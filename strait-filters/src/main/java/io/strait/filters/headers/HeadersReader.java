package io.strait.filters.headers;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import io.strait.filters.HttpSyntax;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code - headers: {request: {remove: [...], rename: {FROM: TO}, set: {NAME: VALUE}, add: {...},
 * append: {...}}, response: {...}}}. Names are RFC 9110 tokens, never a framing or hop-by-hop header;
 * values have no control characters and their variables are known (and, for {@code %path_param.x%},
 * in the route's template); every error names its exact path.
 */
public final class HeadersReader implements FilterReader<HeadersConfig> {
    /** Headers the proxy owns: changing them would break message framing or the connection (RFC 9110 7.6.1, 9112 6). */
    static final Set<String> PROXY_OWNED = Set.of("host", "content-length", "transfer-encoding", "connection",
            "keep-alive", "proxy-connection", "te", "trailer", "upgrade");
    private static final List<String> VERBS = List.of("remove", "rename", "set", "add", "append");

    @Override
    public String name() {
        return HeadersFactory.NAME;
    }

    @Override
    public HeadersConfig read(Node entry, String field, FilterReadContext context) {
        if (!entry.has(field)) {
            entry.skip(field);
            entry.error(field, "must be an object with request and/or response, e.g. {request: {set: {X-Route: \"%route%\"}}}");
            return null;
        }
        Node n = entry.object(field);
        if (n == null) return null;
        int before = n.errors().size();
        HeadersConfig.Side request = side(n, "request", context);
        HeadersConfig.Side response = side(n, "response", context);
        n.finish();
        if (n.errors().size() != before) return null;
        if (request.isEmpty() && response.isEmpty()) {
            n.error("", changesNothing());
            return null;
        }
        return new HeadersConfig(request, response);
    }

    private static HeadersConfig.Side side(Node parent, String field, FilterReadContext context) {
        Node s = parent.object(field);
        if (s == null) return HeadersConfig.Side.NONE;
        List<String> remove = new ArrayList<>();
        List<String> removeList = s.strings("remove");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < removeList.size(); i++) {
            String name = removeList.get(i);
            if (name(s, "remove[" + i + "]", name, seen)) remove.add(name);
        }
        Map<String, String> rename = new LinkedHashMap<>();
        seen.clear();
        for (Map.Entry<String, String> e : s.stringMap("rename").entrySet()) {
            String at = "rename." + e.getKey();
            if (name(s, at, e.getKey(), seen) && checkName(s, at, e.getValue())) rename.put(e.getKey(), e.getValue());
        }
        Map<String, ValueTemplate> set = entries(s, "set", context);
        Map<String, ValueTemplate> add = entries(s, "add", context);
        Map<String, ValueTemplate> append = entries(s, "append", context);
        if (s.has("replace")) {
            s.skip("replace");
            s.error("replace", "write set (it replaces the header's values, or creates it)");
        }
        s.finish();
        return new HeadersConfig.Side(remove, rename, set, add, append);
    }

    private static Map<String, ValueTemplate> entries(Node s, String verb, FilterReadContext context) {
        Map<String, ValueTemplate> out = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> e : s.stringMap(verb).entrySet()) {
            String at = verb + "." + e.getKey();
            if (!name(s, at, e.getKey(), seen)) continue;
            String value = e.getValue();
            if (value.isEmpty()) {
                s.error(at, "must not be empty (to drop a header, list it in remove)");
                continue;
            }
            int bad = HttpSyntax.invalidValueChar(value);
            if (bad >= 0) {
                s.error(at, String.format("a header value cannot hold the character U+%04X (at %d)", (int) value.charAt(bad), bad));
                continue;
            }
            List<String> errors = new ArrayList<>();
            ValueTemplate t = ValueTemplate.parse(value, context.pathParams(), errors);
            for (String err : errors) s.error(at, err);
            if (t != null) out.put(e.getKey(), t);
        }
        return out;
    }

    /** Checks a name (a token, not the proxy's, not twice in this verb); false after an error. */
    private static boolean name(Node s, String at, String name, Set<String> seen) {
        if (!checkName(s, at, name)) return false;
        if (!seen.add(name.toLowerCase(Locale.ROOT))) {
            s.error(at, "is given twice (header names are case-insensitive)");
            return false;
        }
        return true;
    }

    private static boolean checkName(Node s, String at, String name) {
        String problem = nameProblem(name);
        if (problem != null) s.error(at, problem);
        return problem == null;
    }

    /** What is wrong with a header name the filter would change, or null: shared with {@link HeadersConfig#problems()}. */
    static String nameProblem(String name) {
        return nameProblem(name, HeadersFactory.NAME);
    }

    /**
     * What is wrong with a header name a filter would change, or null: a token, never a framing or
     * hop-by-hop header ({@code filter} names the filter in the message; the {@code transform} filter shares it).
     */
    public static String nameProblem(String name, String filter) {
        if (name == null || !HttpSyntax.isToken(name)) {
            return "'" + name + "' is not a header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)";
        }
        if (PROXY_OWNED.contains(name.toLowerCase(Locale.ROOT))) {
            return name + " cannot be changed by the " + filter + " filter (framing and hop-by-hop headers belong to the proxy)";
        }
        return null;
    }

    /** The words of the error for settings that change nothing. */
    static String changesNothing() {
        return "changes nothing: give request and/or response with one of " + String.join(", ", VERBS);
    }
}
