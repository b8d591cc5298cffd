package io.strait.config.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cursor over one YAML object that knows its path. Reading a field marks it as known; {@link
 * #finish()} reports every field that was never read, so a typo is an error, not a silently
 * ignored setting. Every problem goes to the shared {@link Errors} with the full path.
 */
public final class Node {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?");
    static final String DURATION_SYNTAX = Durations.SYNTAX;
    static final String SIZE_SYNTAX = "must be a size such as 8192, 16KiB or 10MiB";

    private final JsonNode json;
    private final String path;
    private final Errors errors;
    private final Set<String> read = new LinkedHashSet<>();

    Node(JsonNode json, String path, Errors errors) {
        this.json = json;
        this.path = path;
        this.errors = errors;
    }

    /**
     * The root object of a document of another kind than the proxy's (a sidecar's or a control plane's
     * config), read with the same helpers; problems go to {@code errors} with their paths.
     */
    public static Node root(JsonNode json, Errors errors) {
        return new Node(json, "", errors);
    }

    public String path() {
        return path;
    }

    public String path(String field) {
        return path.isEmpty() ? field : field.isEmpty() ? path : path + "." + field;
    }

    public Errors errors() {
        return errors;
    }

    public void error(String field, String message) {
        errors.add(path(field), message);
    }

    /** Whether the field is given with a value ({@code field:} with nothing after it counts as absent). */
    public boolean has(String field) {
        JsonNode v = json.get(field);
        return v != null && !v.isNull();
    }

    /** Like {@link #has}, and marks the field as known. */
    public boolean present(String field) {
        read.add(field);
        return has(field);
    }

    /** The field names of this object as written, including those with an empty value. */
    public List<String> fieldNames() {
        List<String> out = new ArrayList<>();
        json.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The keys of the object in {@code field}, or none when it is not an object; does not mark it read. */
    public List<String> keys(String field) {
        JsonNode v = json.get(field);
        List<String> out = new ArrayList<>();
        if (v != null && v.isObject()) v.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private JsonNode raw(String field) {
        read.add(field);
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? null : v;
    }

    /** Whether the field is present and holds a plain value (a string, number or boolean), not a list or object. */
    public boolean isScalar(String field) {
        JsonNode v = json.get(field);
        return v != null && !v.isNull() && v.isValueNode() && !v.isBinary();
    }

    public String string(String field, String dflt) {
        JsonNode v = raw(field);
        if (v == null) return dflt;
        if (!v.isValueNode() || v.isBinary()) {
            error(field, "must be a string");
            return dflt;
        }
        return v.asText();
    }

    public String requiredString(String field) {
        if (!has(field)) {
            read.add(field);
            error(field, "is required");
            return null;
        }
        String s = string(field, null);
        if (s != null && s.isBlank()) {
            error(field, "must not be empty");
            return null;
        }
        return s;
    }

    public boolean bool(String field, boolean dflt) {
        JsonNode v = raw(field);
        if (v == null) return dflt;
        if (!v.isBoolean()) {
            error(field, "must be true or false");
            return dflt;
        }
        return v.booleanValue();
    }

    public int integer(String field, int dflt, int min, int max) {
        JsonNode v = raw(field);
        if (v == null) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            error(field, "must be an integer");
            return dflt;
        }
        int i = v.intValue();
        if (i < min || i > max) {
            error(field, "must be between " + min + " and " + max + " (was " + i + ")");
            return dflt;
        }
        return i;
    }

    /** A whole number that may exceed an int (a request count); at least {@code min}, else an error and {@code dflt}. */
    public long count(String field, long dflt, long min) {
        JsonNode v = raw(field);
        if (v == null) return dflt;
        if (!v.isIntegralNumber()) {
            error(field, "must be an integer");
            return dflt;
        }
        if (!v.canConvertToLong()) {
            error(field, "is too large (was " + describe(v) + ")");
            return dflt;
        }
        long l = v.longValue();
        if (l < min) {
            error(field, "must be at least " + min + " (was " + l + ")");
            return dflt;
        }
        return l;
    }

    public double decimal(String field, double dflt, double min, double max) {
        JsonNode v = raw(field);
        if (v == null) return dflt;
        if (!v.isNumber() || Double.isNaN(v.doubleValue())) {
            error(field, "must be a number");
            return dflt;
        }
        double d = v.doubleValue();
        if (d < min || d > max) {
            error(field, "must be between " + min + " and " + max + " (was " + d + ")");
            return dflt;
        }
        return d;
    }

    /** Durations are written as Go writes them ({@link Durations}): {@code 250ms}, {@code 1.5s}, {@code 1m30s}, {@code 2h}; {@code 0} means none. */
    public Duration duration(String field, Duration dflt) {
        JsonNode v = raw(field);
        if (v == null) return dflt;
        Durations.Parsed p = v.isValueNode() ? Durations.parse(v.asText()) : new Durations.Parsed.Invalid(false);
        return switch (p) {
            case Durations.Parsed.Ok ok -> ok.duration();
            case Durations.Parsed.Invalid bad -> {
                error(field, bad.tooLarge() ? "is too large (was " + describe(v) + ")" : DURATION_SYNTAX + " (was " + describe(v) + ")");
                yield dflt;
            }
        };
    }

    /** Sizes are bytes, or written {@code 16KiB}, {@code 10MB}, {@code 1GiB}; {@code 0} means unlimited where allowed. */
    public long size(String field, long dflt) {
        JsonNode v = raw(field);
        if (v == null) return dflt;
        Matcher m = SIZE.matcher(v.isValueNode() ? v.asText().trim() : "");
        if (!v.isValueNode() || !m.matches()) {
            error(field, SIZE_SYNTAX + " (was " + describe(v) + ")");
            return dflt;
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long mult = switch (unit) {
            case "KB" -> 1000L;
            case "KiB" -> 1024L;
            case "MB" -> 1000L * 1000;
            case "MiB" -> 1024L * 1024;
            case "GB" -> 1000L * 1000 * 1000;
            case "GiB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), mult);
        } catch (ArithmeticException | NumberFormatException e) {
            error(field, "is too large (was " + describe(v) + ")");
            return dflt;
        }
    }

    public <E extends Enum<E>> E enumValue(String field, Class<E> type, E dflt, Function<String, E> parse) {
        String s = string(field, null);
        if (s == null) return dflt;
        E e = parse.apply(s);
        if (e == null) {
            error(field, "unknown value '" + s + "'; expected one of " + Names.of(type));
            return dflt;
        }
        return e;
    }

    public Node object(String field) {
        JsonNode v = raw(field);
        if (v == null) return null;
        if (!v.isObject()) {
            error(field, "must be an object (was " + describe(v) + ")");
            return null;
        }
        return new Node(v, path(field), errors);
    }

    public List<Node> objects(String field) {
        JsonNode v = raw(field);
        List<Node> out = new ArrayList<>();
        if (v == null) return out;
        if (!v.isArray()) {
            error(field, "must be a list (was " + describe(v) + ")");
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            String p = path(field) + "[" + i + "]";
            if (!e.isObject()) {
                errors.add(p, "must be an object (was " + describe(e) + ")");
                continue;
            }
            out.add(new Node(e, p, errors));
        }
        return out;
    }

    public List<String> strings(String field) {
        JsonNode v = raw(field);
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        if (!v.isArray()) {
            error(field, "must be a list of strings (was " + describe(v) + ")");
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isValueNode() || e.isNull() || e.isBinary()) {
                errors.add(path(field) + "[" + i + "]", "must be a string");
                continue;
            }
            out.add(e.asText());
        }
        return out;
    }

    /** An object whose keys are user names (cluster names, label keys); each value an object. */
    public Map<String, Node> namedObjects(String field) {
        JsonNode v = raw(field);
        Map<String, Node> out = new LinkedHashMap<>();
        if (v == null) return out;
        if (!v.isObject()) {
            error(field, "must be an object keyed by name (was " + describe(v) + ")");
            return out;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            String p = path(field) + "." + e.getKey();
            if (!e.getValue().isObject()) {
                errors.add(p, "must be an object (was " + describe(e.getValue()) + ")");
                continue;
            }
            out.put(e.getKey(), new Node(e.getValue(), p, errors));
        }
        return out;
    }

    public Map<String, String> stringMap(String field) {
        JsonNode v = raw(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) return out;
        if (!v.isObject()) {
            error(field, "must be an object of string values (was " + describe(v) + ")");
            return out;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            JsonNode value = e.getValue();
            if (!value.isValueNode() || value.isNull() || value.isBinary()) {
                errors.add(path(field) + "." + e.getKey(), "must be a string");
                continue;
            }
            out.put(e.getKey(), value.asText());
        }
        return out;
    }

    /** Marks a field as known without reading it (for sections read elsewhere). */
    public void skip(String field) {
        read.add(field);
    }

    /** Reports fields that no reader asked for: unknown settings are errors, with a hint for a near miss. */
    public void finish() {
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (read.contains(f)) continue;
            String hint = Names.closest(f, read);
            error(f, hint == null ? "unknown field" : "unknown field (did you mean '" + hint + "'?)");
        }
    }

    /** A value as an error message shows it: {@code '2x'}, {@code a list}, {@code an object}. */
    static String describe(JsonNode v) {
        if (v == null || v.isNull()) return "empty";
        if (v.isArray()) return "a list";
        if (v.isObject()) return "an object";
        return "'" + v.asText() + "'";
    }
}
