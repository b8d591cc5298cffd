package io.strait.filters.fields;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of JSON field paths as a tree: {@code id,name,address.city} selects {@code id} and {@code name}
 * whole and, of {@code address}, only {@code city}. The syntax is Google's partial-response {@code fields}
 * with dots for nesting: {@code a,b.c} and its grouped form {@code b(c,d)} (= {@code b.c,b.d}). A name is
 * letters, digits, {@code _}, {@code -}, {@code $} or {@code @}. Selections apply to every element of
 * an array, so a list of objects is shaped element by element. Immutable once parsed.
 */
public final class FieldSelection {
    /** The most paths a client's selection may name (a selection longer than this is a 400, not work). */
    static final int MAX_PATHS = 100;
    /** How deep a selection may nest (b.c.d... or b(c(d...))). */
    static final int MAX_DEPTH = 16;

    /** A leaf: the whole value is selected. */
    private static final FieldSelection ALL = new FieldSelection(Map.of());

    /** Children by name; empty for a leaf (the whole value). */
    private final Map<String, FieldSelection> children;

    private FieldSelection(Map<String, FieldSelection> children) {
        this.children = children;
    }

    /** Thrown for a malformed selection; the message says where. */
    static final class SyntaxException extends IllegalArgumentException {
        SyntaxException(String message) {
            super(message, null);
        }
    }

    /** Whether this selects the whole value (no narrower choice of its fields). */
    boolean whole() {
        return children.isEmpty() && this != NOTHING;
    }

    Map<String, FieldSelection> children() {
        return children;
    }

    /**
     * Parses {@code text} ({@code a,b.c,d(e,f)}).
     *
     * @throws SyntaxException naming the position of the first problem
     */
    static FieldSelection parse(String text) {
        Parser p = new Parser(text);
        Map<String, Object> tree = new LinkedHashMap<>();
        p.list(tree, 0);
        if (p.pos != text.length()) throw p.error("unexpected '" + text.charAt(p.pos) + "'");
        return freeze(tree);
    }

    /** The union of {@code paths}, each parsed as {@link #parse} does. */
    static FieldSelection parseAll(List<String> paths) {
        return parse(String.join(",", paths));
    }

    @SuppressWarnings("unchecked")
    private static FieldSelection freeze(Map<String, Object> tree) {
        if (tree.isEmpty()) return ALL;
        Map<String, FieldSelection> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : tree.entrySet()) {
            Object v = e.getValue();
            out.put(e.getKey(), v == null ? ALL : freeze((Map<String, Object>) v));
        }
        return new FieldSelection(Collections.unmodifiableMap(out));
    }

    /** Recursive descent over the grammar {@code list := path (',' path)*; path := name ('.' name)* ('(' list ')')?}. */
    private static final class Parser {
        private final String text;
        int pos;
        int paths;

        Parser(String text) {
            this.text = text;
        }

        /** Adds the paths of a list to {@code into} (a name maps to null when selected whole, else to its subtree). */
        void list(Map<String, Object> into, int depth) {
            path(into, depth);
            while (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                path(into, depth);
            }
        }

        @SuppressWarnings("unchecked")
        private void path(Map<String, Object> into, int depth) {
            if (++paths > MAX_PATHS) throw error("more than " + MAX_PATHS + " fields");
            Map<String, Object> at = into;
            String name = name();
            int d = depth;
            while (true) {
                if (++d > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH + " levels");
                boolean more = pos < text.length() && (text.charAt(pos) == '.' || text.charAt(pos) == '(');
                if (!more) {
                    at.put(name, null); // selected whole, whatever was selected of it before
                    return;
                }
                Object existing = at.get(name);
                Map<String, Object> child;
                if (at.containsKey(name) && existing == null) {
                    child = null; // already whole: a narrower selection adds nothing
                } else if (existing == null) {
                    child = new LinkedHashMap<>();
                    at.put(name, child);
                } else {
                    child = (Map<String, Object>) existing;
                }
                char c = text.charAt(pos++);
                Map<String, Object> sink = child != null ? child : new LinkedHashMap<>();
                if (c == '(') {
                    list(sink, d);
                    if (pos >= text.length() || text.charAt(pos) != ')') throw error("missing ')'");
                    pos++;
                    return;
                }
                at = sink;
                name = name();
            }
        }

        private String name() {
            int start = pos;
            while (pos < text.length() && nameChar(text.charAt(pos))) pos++;
            if (pos == start) {
                throw error(pos < text.length() ? "expected a field name, found '" + text.charAt(pos) + "'" : "expected a field name");
            }
            return text.substring(start, pos);
        }

        private static boolean nameChar(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '$'
                    || c == '@';
        }

        SyntaxException error(String what) {
            return new SyntaxException(what + " at position " + pos + " of '" + text + "'");
        }
    }

    /**
     * What both select: the intersection of two selections ({@code null} stands for everything). A client's
     * {@code address} within an allowed {@code address.city} is {@code address.city}.
     */
    static FieldSelection intersect(FieldSelection a, FieldSelection b) {
        if (a == null) return b;
        if (b == null) return a;
        if (a.whole()) return b;
        if (b.whole()) return a;
        Map<String, FieldSelection> out = new LinkedHashMap<>();
        for (Map.Entry<String, FieldSelection> e : b.children.entrySet()) {
            FieldSelection other = a.children.get(e.getKey());
            if (other != null) out.put(e.getKey(), intersect(other, e.getValue()));
        }
        return out.isEmpty() ? NOTHING : new FieldSelection(Collections.unmodifiableMap(out));
    }

    /** Selects no field at all (an intersection that met nowhere): objects become empty. */
    private static final FieldSelection NOTHING = new FieldSelection(Map.of());

    /** Keeps only the selected fields of {@code node} (objects, and every element of arrays), in place. */
    void keep(JsonNode node) {
        if (whole()) return;
        if (node instanceof ArrayNode array) {
            for (JsonNode element : array) keep(element);
        } else if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                FieldSelection child = children.get(field.getKey());
                if (child == null) it.remove();
                else child.keep(field.getValue());
            }
        } // a scalar where fields were selected inside it: kept as it is
    }

    /** Removes the selected fields of {@code node} (objects, and every element of arrays), in place: a deny list. */
    void remove(JsonNode node) {
        if (node instanceof ArrayNode array) {
            for (JsonNode element : array) remove(element);
        } else if (node instanceof ObjectNode object) {
            for (Map.Entry<String, FieldSelection> e : children.entrySet()) {
                JsonNode value = object.get(e.getKey());
                if (value == null) continue;
                if (e.getValue().whole()) object.remove(e.getKey());
                else e.getValue().remove(value);
            }
        }
    }

    /** The selection written back as text (paths joined by ','), for config views and tests. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        write(sb, "");
        return sb.toString();
    }

    private void write(StringBuilder sb, String prefix) {
        for (Map.Entry<String, FieldSelection> e : children.entrySet()) {
            if (e.getValue().whole()) {
                if (!sb.isEmpty()) sb.append(',');
                sb.append(prefix).append(e.getKey());
            } else {
                e.getValue().write(sb, prefix + e.getKey() + ".");
            }
        }
    }
}
