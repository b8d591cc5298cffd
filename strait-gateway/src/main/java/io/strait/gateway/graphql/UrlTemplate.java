package io.strait.gateway.graphql;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A resolver's path or query value: literal text with {@code {args.NAME}} (the field's argument),
 * {@code {source.NAME}} (the parent object's field) and {@code {keys}} (a batch's distinct keys,
 * comma-joined). Values are percent-encoded where they land (a path segment or a query value).
 *
 * @param text the template as written
 * @param parts its literal and variable parts, in order
 */
public record UrlTemplate(String text, List<Part> parts) {
    private static final Pattern VARIABLE = Pattern.compile("\\{([^{}]*)}");
    private static final Pattern NAME = Pattern.compile("[_A-Za-z][_0-9A-Za-z]*");

    /** One piece of a template. */
    public sealed interface Part {}

    public record Literal(String text) implements Part {}

    /** {@code {args.NAME}}. */
    public record Arg(String name) implements Part {}

    /** {@code {source.NAME}}. */
    public record Source(String name) implements Part {}

    /** {@code {keys}}. */
    public record Keys() implements Part {}

    public UrlTemplate {
        parts = List.copyOf(parts);
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} saying what is wrong with a variable. */
    public static UrlTemplate parse(String text) {
        List<Part> parts = new ArrayList<>();
        Matcher m = VARIABLE.matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) parts.add(new Literal(text.substring(at, m.start())));
            parts.add(variable(m.group(1)));
            at = m.end();
        }
        String rest = text.substring(at);
        if (!rest.isEmpty()) parts.add(new Literal(rest));
        for (Part p : parts) {
            if (p instanceof Literal l && (l.text().indexOf('{') >= 0 || l.text().indexOf('}') >= 0)) {
                throw new IllegalArgumentException("unbalanced '{' or '}' in '" + text + "'");
            }
        }
        return new UrlTemplate(text, parts);
    }

    private static Part variable(String v) {
        if (v.equals("keys")) return new Keys();
        int dot = v.indexOf('.');
        String scope = dot < 0 ? v : v.substring(0, dot);
        String name = dot < 0 ? "" : v.substring(dot + 1);
        if ((scope.equals("args") || scope.equals("source")) && NAME.matcher(name).matches()) {
            return scope.equals("args") ? new Arg(name) : new Source(name);
        }
        throw new IllegalArgumentException("unknown variable {" + v + "}: write {args.NAME}, {source.NAME} or {keys}");
    }

    /** Whether any part is of {@code type}. */
    public boolean uses(Class<? extends Part> type) {
        return parts.stream().anyMatch(type::isInstance);
    }

    /**
     * The text with every variable's value encoded for where it lands ({@code pathSegment}: a path segment,
     * else a query value); null when a variable has no value (a missing argument or parent field).
     */
    public String render(Map<String, Object> args, Object source, List<String> keys, boolean pathSegment) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Literal l -> sb.append(l.text());
                case Keys k -> {
                    if (keys == null) return null;
                    for (int i = 0; i < keys.size(); i++) {
                        if (i > 0) sb.append(',');
                        sb.append(encode(keys.get(i), pathSegment));
                    }
                }
                case Arg a -> {
                    Object v = args == null ? null : args.get(a.name());
                    if (v == null) return null;
                    sb.append(encode(text(v), pathSegment));
                }
                case Source s -> {
                    Object v = source instanceof Map<?, ?> m ? m.get(s.name()) : null;
                    if (v == null) return null;
                    sb.append(encode(text(v), pathSegment));
                }
            }
        }
        return sb.toString();
    }

    /** A scalar's text as it goes in a URL ({@code 7}, not {@code 7.0}, for a whole number read as a double). */
    static String text(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e15) return Long.toString(d.longValue());
        return String.valueOf(v);
    }

    private static String encode(String v, boolean pathSegment) {
        String e = URLEncoder.encode(v, StandardCharsets.UTF_8);
        return pathSegment ? e.replace("+", "%20") : e;
    }
}
