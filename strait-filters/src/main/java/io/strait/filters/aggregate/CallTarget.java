package io.strait.filters.aggregate;

import io.strait.config.model.FilterConfig.Problem;
import io.strait.filters.headers.ValueTemplate;
import io.strait.proxy.filter.RequestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A call's request target, parsed once at load: the path with {@code {name}} (a path template capture,
 * put in as received: still percent-encoded) and {@code %variable%} (the headers filter's variables,
 * percent-encoded when put in), and the query parameters with the same placeholders.
 */
final class CallTarget {
    /** One piece of a path or value. */
    private sealed interface Part {}

    private record Literal(String text) implements Part {}

    private record Capture(String name) implements Part {}

    private record Variable(ValueTemplate template) implements Part {}

    private final List<Part> path;
    private final List<Map.Entry<String, List<Part>>> query;

    private CallTarget(List<Part> path, List<Map.Entry<String, List<Part>>> query) {
        this.path = path;
        this.query = query;
    }

    /** The syntax problems of a path (no route context needed): what {@link AggregateConfig#problems()} reports. */
    static void syntaxProblems(String path, String field, List<Problem> out) {
        if (!path.startsWith("/")) out.add(new Problem(field, "must start with '/'"));
        if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0) out.add(new Problem(field, "must be a path only: give query parameters in query"));
        if (path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) out.add(new Problem(field, "must hold only visible ASCII characters"));
    }

    /**
     * Parses a call's path and query; problems (message only) go to {@code errors} by field ({@code path},
     * {@code query.user}). Null when there were any.
     */
    static CallTarget parse(String path, Map<String, String> query, Set<String> pathParams, Map<String, String> errors) {
        List<Part> p = parts(path, pathParams, "path", errors);
        List<Map.Entry<String, List<Part>>> q = new ArrayList<>();
        for (Map.Entry<String, String> e : query.entrySet()) {
            List<Part> v = parts(e.getValue(), pathParams, "query." + e.getKey(), errors);
            q.add(Map.entry(e.getKey(), v == null ? List.of() : v));
        }
        return errors.isEmpty() ? new CallTarget(p, List.copyOf(q)) : null;
    }

    private static List<Part> parts(String text, Set<String> pathParams, String field, Map<String, String> errors) {
        List<Part> out = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{' || c == '%') {
                char close = c == '{' ? '}' : '%';
                int end = text.indexOf(close, i + 1);
                if (c == '%' && end == i + 1) { // %% is a literal %
                    literal.append('%');
                    i += 2;
                    continue;
                }
                if (end < 0) {
                    errors.putIfAbsent(field, "an unclosed '" + c + "' at " + i);
                    return null;
                }
                if (!literal.isEmpty()) {
                    out.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                String inner = text.substring(i + 1, end);
                if (c == '{') {
                    if (!pathParams.contains(inner)) {
                        errors.putIfAbsent(field, "{" + inner + "}: " + (pathParams.isEmpty()
                                ? "the route has no path template parameters (match: {pathTemplate: /home/{" + inner + "}})"
                                : "the route's template has no {" + inner + "} (it has "
                                        + String.join(", ", pathParams.stream().sorted().toList()) + ")"));
                        return null;
                    }
                    out.add(new Capture(inner));
                } else {
                    List<String> problems = new ArrayList<>();
                    ValueTemplate t = ValueTemplate.parse("%" + inner + "%", pathParams, problems);
                    if (t == null) {
                        errors.putIfAbsent(field, problems.isEmpty() ? "a bad variable %" + inner + "%" : problems.get(0));
                        return null;
                    }
                    out.add(new Variable(t));
                }
                i = end + 1;
                continue;
            }
            literal.append(c);
            i++;
        }
        if (!literal.isEmpty()) out.add(new Literal(literal.toString()));
        return out;
    }

    /** The path and query for this request. */
    String render(RequestContext ctx) {
        StringBuilder sb = new StringBuilder(64);
        append(sb, path, ctx, false);
        char sep = '?';
        for (Map.Entry<String, List<Part>> q : query) {
            int start = sb.length();
            sb.append(sep).append(encode(q.getKey())).append('=');
            int value = sb.length();
            append(sb, q.getValue(), ctx, true);
            if (sb.length() == value && !literal(q.getValue())) {
                sb.setLength(start); // its variables have no value: not sent (as the headers and transform filters do)
                continue;
            }
            sep = '&';
        }
        return sb.toString();
    }

    /** Whether a value is literal text only (an empty literal is sent: {@code flag=}). */
    private static boolean literal(List<Part> parts) {
        for (Part p : parts) {
            if (!(p instanceof Literal)) return false;
        }
        return true;
    }

    private static void append(StringBuilder sb, List<Part> parts, RequestContext ctx, boolean queryValue) {
        for (Part p : parts) {
            switch (p) {
                case Literal l -> sb.append(queryValue ? encode(l.text()) : l.text());
                case Capture c -> {
                    String v = ctx.pathParams().get(c.name()); // as received: already percent-encoded
                    if (v != null) sb.append(v);
                }
                case Variable v -> {
                    String value = v.template().render(ctx);
                    if (value != null) sb.append(encode(value));
                }
            }
        }
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters (safe in a path segment and a query value). */
    static String encode(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
