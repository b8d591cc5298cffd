package io.strait.mesh.authz;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.strait.config.load.ConfigException;
import io.strait.config.load.YamlText;
import io.strait.mesh.authz.AuthorizationPolicy.Action;
import io.strait.mesh.authz.AuthorizationPolicy.Condition;
import io.strait.mesh.authz.AuthorizationPolicy.Operation;
import io.strait.mesh.authz.AuthorizationPolicy.Rule;
import io.strait.mesh.authz.AuthorizationPolicy.Source;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An {@link AuthorizationPolicy} as JSON, the form the control plane pushes it in: it read and checked the Istio
 * document, the sidecar gets the model (so a service account or condition value qualified by the reader is not
 * qualified twice). The shape is the records' own, as Jackson's data binding wrote it: an object per record, its
 * fields named and ordered as the record's components, {@code null} for a null component, the action by name. Written
 * with a {@link JsonGenerator} and read from {@link YamlText#readJson}'s tree, by hand: a sidecar builds no
 * ObjectMapper (data binding loads about a thousand classes at its start). Unknown fields, missing required fields
 * and values of the wrong type are refused; an absent or null list inside a rule is an empty one (no constraint).
 */
public final class PolicyJson {
    private static final JsonFactory JSON = new JsonFactory();
    private static final List<String> POLICY = List.of("source", "namespace", "name", "selector", "action", "rules");
    /** What a policy cannot be without; {@code rules} may be null ({@code spec: {}}, which allows nothing), not absent. */
    private static final List<String> REQUIRED = List.of("namespace", "name", "selector", "action", "rules");
    private static final Set<String> RULE = Set.of("from", "to", "when");
    private static final Set<String> SOURCE = Set.of("principals", "notPrincipals", "namespaces", "notNamespaces",
            "serviceAccounts", "notServiceAccounts");
    private static final Set<String> OPERATION = Set.of("methods", "notMethods", "paths", "notPaths");
    private static final Set<String> CONDITION = Set.of("key", "values", "notValues");

    private PolicyJson() {}

    public static String write(AuthorizationPolicy policy) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("source", policy.source());
            g.writeStringField("namespace", policy.namespace());
            g.writeStringField("name", policy.name());
            g.writeFieldName("selector");
            if (policy.selector() == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                for (Map.Entry<String, String> e : policy.selector().entrySet()) g.writeStringField(e.getKey(), e.getValue());
                g.writeEndObject();
            }
            g.writeStringField("action", policy.action() == null ? null : policy.action().name());
            g.writeFieldName("rules");
            list(g, policy.rules(), PolicyJson::rule);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("an authorization policy always serialises: " + e.getMessage(), e);
        }
        return out.toString();
    }

    private interface Writer<T> {
        void write(JsonGenerator g, T value) throws IOException;
    }

    private static <T> void list(JsonGenerator g, List<T> list, Writer<T> element) throws IOException {
        if (list == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (T t : list) {
            if (t == null) g.writeNull();
            else element.write(g, t);
        }
        g.writeEndArray();
    }

    private static void strings(JsonGenerator g, String field, List<String> list) throws IOException {
        g.writeFieldName(field);
        list(g, list, JsonGenerator::writeString);
    }

    private static void rule(JsonGenerator g, Rule r) throws IOException {
        g.writeStartObject();
        g.writeFieldName("from");
        list(g, r.from(), (gen, s) -> {
            gen.writeStartObject();
            strings(gen, "principals", s.principals());
            strings(gen, "notPrincipals", s.notPrincipals());
            strings(gen, "namespaces", s.namespaces());
            strings(gen, "notNamespaces", s.notNamespaces());
            strings(gen, "serviceAccounts", s.serviceAccounts());
            strings(gen, "notServiceAccounts", s.notServiceAccounts());
            gen.writeEndObject();
        });
        g.writeFieldName("to");
        list(g, r.to(), (gen, o) -> {
            gen.writeStartObject();
            strings(gen, "methods", o.methods());
            strings(gen, "notMethods", o.notMethods());
            strings(gen, "paths", o.paths());
            strings(gen, "notPaths", o.notPaths());
            gen.writeEndObject();
        });
        g.writeFieldName("when");
        list(g, r.when(), (gen, c) -> {
            gen.writeStartObject();
            gen.writeStringField("key", c.key());
            strings(gen, "values", c.values());
            strings(gen, "notValues", c.notValues());
            gen.writeEndObject();
        });
        g.writeEndObject();
    }

    /** The policy in {@code json}, or an {@link IllegalArgumentException} saying what is wrong with it. */
    public static AuthorizationPolicy read(String json) {
        JsonNode root;
        try {
            root = YamlText.readJson(json == null ? "" : json, "");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("not an authorization policy: " + String.join("; ", e.errors()));
        }
        if (root == null || !root.isObject()) throw bad("", "must be a JSON object");
        fields(root, "", Set.copyOf(POLICY));
        List<String> missing = REQUIRED.stream()
                .filter(f -> !root.has(f) || root.get(f).isNull() && !f.equals("rules")).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("an authorization policy needs namespace, name, selector, action and rules"
                    + " (missing: " + String.join(", ", missing) + ")");
        }
        String source = root.get("source") == null || root.get("source").isNull() ? null : text(root.get("source"), "source");
        JsonNode rules = root.get("rules");
        return new AuthorizationPolicy(source, text(root.get("namespace"), "namespace"), text(root.get("name"), "name"),
                selector(root.get("selector")), action(root.get("action")),
                rules.isNull() ? null : objects(rules, "rules", PolicyJson::rule));
    }

    private static Map<String, String> selector(JsonNode node) {
        if (!node.isObject()) throw bad("selector", "must be an object of labels");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) out.put(e.getKey(), text(e.getValue(), "selector." + e.getKey()));
        return Collections.unmodifiableMap(out);
    }

    private static Action action(JsonNode node) {
        String s = text(node, "action");
        for (Action a : Action.values()) {
            if (a.name().equals(s)) return a;
        }
        throw bad("action", "must be ALLOW, DENY or AUDIT, not '" + s + "'");
    }

    private static Rule rule(JsonNode node, String path) {
        fields(node, path, RULE);
        return new Rule(objects(node.get("from"), path + ".from", PolicyJson::source),
                objects(node.get("to"), path + ".to", PolicyJson::operation),
                objects(node.get("when"), path + ".when", PolicyJson::condition));
    }

    private static Source source(JsonNode node, String path) {
        fields(node, path, SOURCE);
        return new Source(strings(node, path, "principals"), strings(node, path, "notPrincipals"),
                strings(node, path, "namespaces"), strings(node, path, "notNamespaces"),
                strings(node, path, "serviceAccounts"), strings(node, path, "notServiceAccounts"));
    }

    private static Operation operation(JsonNode node, String path) {
        fields(node, path, OPERATION);
        return new Operation(strings(node, path, "methods"), strings(node, path, "notMethods"),
                strings(node, path, "paths"), strings(node, path, "notPaths"));
    }

    private static Condition condition(JsonNode node, String path) {
        fields(node, path, CONDITION);
        JsonNode key = node.get("key");
        if (key == null || key.isNull()) throw bad(path + ".key", "is required");
        return new Condition(text(key, path + ".key"), strings(node, path, "values"), strings(node, path, "notValues"));
    }

    private interface ElementReader<T> {
        T read(JsonNode node, String path);
    }

    /** An array of objects, each read by {@code element}; absent or null is an empty list (for a rule's parts). */
    private static <T> List<T> objects(JsonNode node, String path, ElementReader<T> element) {
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) throw bad(path, "must be an array");
        List<T> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String at = path + "[" + i + "]";
            if (!node.get(i).isObject()) throw bad(at, "must be an object");
            out.add(element.read(node.get(i), at));
        }
        return List.copyOf(out);
    }

    /** An array of strings; absent or null is an empty list. */
    private static List<String> strings(JsonNode parent, String path, String field) {
        JsonNode node = parent.get(field);
        String at = path + "." + field;
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) throw bad(at, "must be an array of strings");
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) out.add(text(node.get(i), at + "[" + i + "]"));
        return List.copyOf(out);
    }

    private static String text(JsonNode node, String path) {
        if (!node.isTextual()) throw bad(path, "must be a string, not " + kind(node));
        return node.textValue();
    }

    private static void fields(JsonNode node, String path, Set<String> known) {
        for (String f : (Iterable<String>) node::fieldNames) {
            if (!known.contains(f)) {
                throw bad(path, "unknown field '" + f + "' (expected " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String kind(JsonNode node) {
        return node.isNull() ? "null" : node.isNumber() ? "a number" : node.isBoolean() ? "a boolean"
                : node.isArray() ? "an array" : node.isObject() ? "an object" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static IllegalArgumentException bad(String path, String message) {
        return new IllegalArgumentException("not an authorization policy: " + (path.isEmpty() ? "" : path + ": ") + message);
    }
}
