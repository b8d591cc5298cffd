package io.strait.filters.headers;

import io.strait.filters.HttpSyntax;
import io.strait.proxy.filter.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A header value with variables, {@code "user %claim.sub% via %route%"}, parsed once at load into
 * literal and variable parts; rendering is a loop over the parts (no parsing, no regular expression).
 * {@code %%} is a literal {@code %}. Variables: {@code %client_ip%}, {@code %request_id%},
 * {@code %route%}, {@code %path_param.NAME%}, {@code %query.NAME%} (percent-decoded, {@code +} as a
 * space), {@code %claim.NAME%} (the verified token's claim: numbers as written, lists joined with
 * {@code ,}, objects have no value).
 * Equal by its text, and shown as it ({@code GET /config}).
 */
public final class ValueTemplate {
    /** One piece of a value. */
    public sealed interface Part {}

    /** Text as written ({@code %%} already made {@code %}). */
    public record Literal(String text) implements Part {}

    /** The client's address as the listener's trusted hops report it ({@link RequestContext#forwardedClientIp()}). */
    public record ClientIp() implements Part {}

    /** The request's {@code X-Request-Id}. */
    public record RequestId() implements Part {}

    /** The route's name; none before routing. */
    public record Route() implements Part {}

    /** A path template parameter, still percent-encoded. */
    public record PathParam(String name) implements Part {}

    /** The first value of a query parameter, percent-decoded. */
    public record Query(String name) implements Part {}

    /** A claim of the verified token ({@link RequestContext#claims()}). */
    public record Claim(String name) implements Part {}

    /** The variable names a value may use, for errors and hints. */
    static final List<String> NAMES = List.of("client_ip", "request_id", "route", "path_param.NAME", "query.NAME", "claim.NAME");

    private final String source;
    private final List<Part> parts;
    /** {@link #parts} as an array: the render loop indexes it without an iterator. */
    private final Part[] partArray;

    ValueTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
        this.partArray = this.parts.toArray(new Part[0]);
    }

    /** The value as written. */
    public String source() {
        return source;
    }

    /** The parts in order. */
    public List<Part> parts() {
        return parts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueTemplate t && t.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    /** The text as written (what {@code GET /config} shows, and loads again). */
    @Override
    public String toString() {
        return source;
    }

    /** Whether the value is the same text for every request (no variable). */
    public boolean constant() {
        return parts.stream().allMatch(p -> p instanceof Literal);
    }

    /**
     * Parses {@code text}; problems go to {@code errors} (the message only, the caller adds the path).
     *
     * @param pathParams the route template's parameter names ({@code %path_param.x%} must name one)
     * (public: the {@code transform} filter's values are these templates too)
     */
    public static ValueTemplate parse(String text, Set<String> pathParams, List<String> errors) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            int end = text.indexOf('%', i + 1);
            if (end < 0) {
                errors.add("an unclosed '%' at " + i + ": write %% for a literal %, or %name% for a variable");
                return null;
            }
            if (end == i + 1) {
                literal.append('%');
                i = end + 1;
                continue;
            }
            Part v = variable(text.substring(i + 1, end), pathParams, errors);
            if (v == null) return null;
            if (!literal.isEmpty()) {
                parts.add(new Literal(literal.toString()));
                literal.setLength(0);
            }
            parts.add(v);
            i = end + 1;
        }
        if (!literal.isEmpty()) parts.add(new Literal(literal.toString()));
        return new ValueTemplate(text, parts);
    }

    private static Part variable(String name, Set<String> pathParams, List<String> errors) {
        switch (name) {
            case "client_ip":
                return new ClientIp();
            case "request_id":
                return new RequestId();
            case "route":
                return new Route();
            default:
                break;
        }
        int dot = name.indexOf('.');
        String kind = dot < 0 ? name : name.substring(0, dot);
        String arg = dot < 0 ? "" : name.substring(dot + 1);
        if (dot > 0 && (kind.equals("path_param") || kind.equals("query") || kind.equals("claim")) && arg.isEmpty()) {
            errors.add("%" + name + "% names no " + kind.replace('_', ' ') + " (write %" + kind + ".NAME%)");
            return null;
        }
        switch (kind) {
            case "path_param":
                if (!pathParams.contains(arg)) {
                    errors.add("%" + name + "%: " + (pathParams.isEmpty()
                            ? "this filter's route has no path template parameters (match: {pathTemplate: /users/{" + arg + "}})"
                            : "the route's template has no {" + arg + "} (it has " + String.join(", ", pathParams.stream().sorted().toList()) + ")"));
                    return null;
                }
                return new PathParam(arg);
            case "query":
                return new Query(arg);
            case "claim":
                return new Claim(arg);
            default:
                String hint = io.strait.config.load.Names.closest(name, List.of("client_ip", "request_id", "route"));
                errors.add("unknown variable %" + name + "%" + (hint != null ? " (did you mean %" + hint + "%?)" : "")
                        + "; known: " + String.join(", ", NAMES.stream().map(n -> "%" + n + "%").toList())
                        + " (%% is a literal %)");
                return null;
        }
    }

    /**
     * The value for this request, or null when it has none: a variable without a value made it empty,
     * or a variable's value holds a character a header may not carry (CR, LF, NUL, another control, or
     * one beyond Latin-1), so it is never sent.
     */
    public String render(RequestContext ctx) {
        return render(ctx, true);
    }

    /**
     * The value for this request as any text (for a query parameter or a JSON string, which are encoded where they
     * go): as {@link #render}, without the header's character checks; null when the variables made it empty.
     */
    public String renderText(RequestContext ctx) {
        return render(ctx, false);
    }

    private String render(RequestContext ctx, boolean header) {
        Part[] ps = partArray;
        if (ps.length == 1) { // a literal, or one variable alone ("%client_ip%"): no builder, no copy
            if (ps[0] instanceof Literal l) return l.text();
            String v = value(ps[0], ctx);
            if (v == null || v.isEmpty() || (header && HttpSyntax.invalidValueChar(v) >= 0)) return null;
            return v;
        }
        StringBuilder sb = new StringBuilder(source.length() + 32);
        for (Part p : ps) {
            String v = value(p, ctx);
            if (v == null) continue;
            // literals were checked at load; a variable's text comes from the request
            if (header && !(p instanceof Literal) && HttpSyntax.invalidValueChar(v) >= 0) return null;
            sb.append(v);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static String value(Part p, RequestContext ctx) {
        return switch (p) {
            case Literal lit -> lit.text();
            case ClientIp c -> ctx.forwardedClientIp();
            case RequestId r -> ctx.requestId();
            case Route r -> ctx.routeName();
            case PathParam pp -> ctx.pathParams().get(pp.name());
            case Query q -> QueryParams.first(QueryParams.of(ctx), q.name());
            case Claim cl -> claim(ctx.claims(), cl.name());
        };
    }

    /** A claim as text: strings as they are, whole numbers without a fraction, lists joined with ','; objects: none. */
    static String claim(Map<String, Object> claims, String name) {
        return text(claims.get(name), true);
    }

    private static String text(Object v, boolean top) {
        if (v == null) return null;
        if (v instanceof String s) return s;
        if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) return v.toString();
        if (v instanceof java.math.BigDecimal d) return d.stripTrailingZeros().toPlainString();
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
            return java.math.BigDecimal.valueOf(d).toPlainString();
        }
        if (v instanceof List<?> list && top) {
            StringBuilder sb = new StringBuilder();
            for (Object o : list) {
                String s = text(o, false);
                if (s == null) continue;
                if (!sb.isEmpty()) sb.append(',');
                sb.append(s);
            }
            return sb.isEmpty() ? null : sb.toString();
        }
        return null;
    }
}
