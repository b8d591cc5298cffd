package io.strait.mesh.authz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.strait.mesh.authz.AuthorizationPolicy.Action;
import io.strait.mesh.authz.AuthorizationPolicy.Condition;
import io.strait.mesh.authz.AuthorizationPolicy.Operation;
import io.strait.mesh.authz.AuthorizationPolicy.Rule;
import io.strait.mesh.authz.AuthorizationPolicy.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads Istio AuthorizationPolicy YAML documents (several per file, separated by {@code ---}). Fields Istio has and
 * Strait does not support are errors ({@code policy.yaml: [2] spec.rules[0].from[0].source.ipBlocks: not supported
 * by Strait}), unknown fields too: a policy is never half applied. {@code [n]} is the document's index in the file,
 * from 0. Blocking file I/O: call it off the event loop.
 */
public final class PolicyReader {
    /** Namespace of a policy whose metadata has none, as {@code kubectl apply} does with the default context. */
    public static final String DEFAULT_NAMESPACE = "default";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> API_VERSIONS = Set.of("security.istio.io/v1", "security.istio.io/v1beta1");
    private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec", "status");
    /** Kubernetes bookkeeping an exported policy carries; none of it changes what the policy means. */
    private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations", "uid",
            "resourceVersion", "generation", "creationTimestamp", "managedFields");
    private static final Set<String> SPEC = Set.of("selector", "action", "rules");
    private static final Set<String> SPEC_UNSUPPORTED = Set.of("provider", "targetRef", "targetRefs");
    private static final Set<String> RULE = Set.of("from", "to", "when");
    private static final Set<String> SOURCE = Set.of("principals", "notPrincipals", "namespaces", "notNamespaces",
            "serviceAccounts", "notServiceAccounts");
    private static final Set<String> SOURCE_UNSUPPORTED = Set.of("requestPrincipals", "notRequestPrincipals",
            "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks", "trustDomains", "notTrustDomains");
    private static final Set<String> OPERATION = Set.of("methods", "notMethods", "paths", "notPaths");
    private static final Set<String> OPERATION_UNSUPPORTED = Set.of("hosts", "notHosts", "ports", "notPorts");
    private static final Set<String> CONDITION = Set.of("key", "values", "notValues");
    private static final Pattern HEADER_KEY = Pattern.compile("request\\.headers\\[([!#$%&'*+.^_`|~0-9A-Za-z-]+)]");
    private static final Set<String> CONDITION_KEYS = Set.of("source.principal", "source.namespace", "source.serviceAccount");
    /** Istio's annotation for a policy that is evaluated and logged but not enforced. */
    static final String DRY_RUN_ANNOTATION = "istio.io/dry-run";

    private final List<String> errors = new ArrayList<>();
    private String where;
    /** The namespace of the policy being read: an unqualified service account belongs to it. */
    private String policyNamespace = DEFAULT_NAMESPACE;

    private PolicyReader() {}

    /** Reads every policy of {@code files}, in order; throws with all the errors found. */
    public static List<AuthorizationPolicy> read(List<Path> files) throws PolicyException {
        PolicyReader reader = new PolicyReader();
        List<AuthorizationPolicy> out = new ArrayList<>();
        for (Path file : files) {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                reader.errors.add(file + ": cannot read: " + e.getMessage());
                continue;
            }
            out.addAll(reader.documents(file.toString(), text));
        }
        if (!reader.errors.isEmpty()) throw new PolicyException(reader.errors);
        return List.copyOf(out);
    }

    /** Reads the policies in {@code text}, named {@code fileName} in errors. */
    public static List<AuthorizationPolicy> parse(String fileName, String text) throws PolicyException {
        PolicyReader reader = new PolicyReader();
        List<AuthorizationPolicy> out = reader.documents(fileName, text);
        if (!reader.errors.isEmpty()) throw new PolicyException(reader.errors);
        return out;
    }

    /**
     * One document already parsed from YAML (a file that mixes kinds, read by the mesh's configuration), named
     * {@code fileName: [index]} in errors as {@link #parse} names it.
     */
    public static AuthorizationPolicy parseDocument(String fileName, int index, JsonNode doc) throws PolicyException {
        PolicyReader reader = new PolicyReader();
        reader.where = fileName + ": [" + index + "] ";
        AuthorizationPolicy p = reader.document(doc, fileName + " [" + index + "]");
        if (!reader.errors.isEmpty()) throw new PolicyException(reader.errors);
        return p;
    }

    private List<AuthorizationPolicy> documents(String fileName, String text) {
        List<AuthorizationPolicy> out = new ArrayList<>();
        int index = 0;
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                where = fileName + ": [" + index++ + "] ";
                if (doc == null || doc.isNull() || doc.isMissingNode()) continue;
                AuthorizationPolicy p = document(doc, fileName + " [" + (index - 1) + "]");
                if (p != null) out.add(p);
            }
        } catch (IOException | RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            errors.add(fileName + ": [" + index + "] not valid YAML: " + msg);
        }
        return out;
    }

    private AuthorizationPolicy document(JsonNode doc, String source) {
        if (!object(doc, "")) return null;
        int before = errors.size();
        fields(doc, "", TOP, Set.of());
        String apiVersion = text(doc.get("apiVersion"), "apiVersion", true);
        if (apiVersion != null && !API_VERSIONS.contains(apiVersion)) {
            error("apiVersion", "must be security.istio.io/v1 or security.istio.io/v1beta1, not " + apiVersion);
        }
        String kind = text(doc.get("kind"), "kind", true);
        if (kind != null && !kind.equals("AuthorizationPolicy")) {
            error("kind", "must be AuthorizationPolicy, not " + kind);
        }
        JsonNode meta = doc.get("metadata");
        String name = null;
        String namespace = DEFAULT_NAMESPACE;
        if (meta == null) {
            error("metadata", "required");
        } else if (object(meta, "metadata")) {
            fields(meta, "metadata.", METADATA, Set.of());
            name = text(meta.get("name"), "metadata.name", true);
            String ns = text(meta.get("namespace"), "metadata.namespace", false);
            if (ns != null) namespace = ns;
            JsonNode annotations = meta.get("annotations");
            JsonNode dryRun = annotations == null ? null : annotations.get(DRY_RUN_ANNOTATION);
            if (dryRun != null && dryRun.asText().equalsIgnoreCase("true")) {
                error("metadata.annotations." + DRY_RUN_ANNOTATION, "dry-run policies are not supported by Strait"
                        + " (Istio would not enforce this policy; Strait would): remove the policy or the annotation");
            }
        }
        JsonNode spec = doc.get("spec");
        Map<String, String> selector = Map.of();
        Action action = Action.ALLOW;
        List<Rule> rules = null;
        if (spec == null) {
            error("spec", "required (write spec: {} for a policy that allows nothing)");
        } else if (object(spec, "spec")) {
            fields(spec, "spec.", SPEC, SPEC_UNSUPPORTED);
            selector = selector(spec.get("selector"));
            action = action(spec.get("action"));
            JsonNode r = spec.get("rules");
            policyNamespace = namespace;
            if (r != null && !r.isNull()) rules = rules(r);
            if (action == Action.DENY && rules == null) {
                // Istio's validation: "DENY action without `rules` is meaningless as it will never be triggered"
                error("spec.rules", "a DENY policy without rules never denies anything (Istio refuses it);"
                        + " write rules: [{}] to deny every request");
            }
        }
        return errors.size() == before ? new AuthorizationPolicy(source, namespace, name, selector, action, rules) : null;
    }

    private Map<String, String> selector(JsonNode node) {
        if (node == null || node.isNull() || !object(node, "spec.selector")) return Map.of();
        fields(node, "spec.selector.", Set.of("matchLabels"), Set.of());
        JsonNode labels = node.get("matchLabels");
        if (labels == null || labels.isNull() || !object(labels, "spec.selector.matchLabels")) return Map.of();
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String v = text(e.getValue(), "spec.selector.matchLabels." + e.getKey(), true);
            if (v != null) out.put(e.getKey(), v);
        }
        return Map.copyOf(out);
    }

    private Action action(JsonNode node) {
        String a = text(node, "spec.action", false);
        if (a == null) return Action.ALLOW;
        return switch (a) {
            case "ALLOW" -> Action.ALLOW;
            case "DENY" -> Action.DENY;
            case "AUDIT" -> Action.AUDIT;
            case "CUSTOM" -> {
                error("spec.action", "CUSTOM is not supported by Strait");
                yield null;
            }
            default -> {
                error("spec.action", "must be ALLOW, DENY or AUDIT, not " + a);
                yield null;
            }
        };
    }

    private List<Rule> rules(JsonNode node) {
        List<Rule> out = new ArrayList<>();
        if (!array(node, "spec.rules")) return out;
        for (int i = 0; i < node.size(); i++) {
            String p = "spec.rules[" + i + "]";
            JsonNode rule = node.get(i);
            if (rule.isNull()) {
                error(p, "must be a mapping; write {} for a rule that matches every request");
                continue;
            }
            if (!object(rule, p)) continue;
            fields(rule, p + ".", RULE, Set.of());
            List<Source> from = new ArrayList<>();
            forEach(rule.get("from"), p + ".from", (e, ep) -> {
                fields(e, ep + ".", Set.of("source"), Set.of());
                JsonNode s = required(e, "source", ep);
                if (s == null) return;
                String sp = ep + ".source";
                fields(s, sp + ".", SOURCE, SOURCE_UNSUPPORTED);
                Source src = new Source(wildcards(s, "principals", sp), wildcards(s, "notPrincipals", sp),
                        wildcards(s, "namespaces", sp), wildcards(s, "notNamespaces", sp),
                        serviceAccounts(s, "serviceAccounts", sp), serviceAccounts(s, "notServiceAccounts", sp));
                if (s.isEmpty()) error(sp, "must set at least one field");
                boolean accounts = s.has("serviceAccounts") || s.has("notServiceAccounts");
                if (accounts && (s.has("principals") || s.has("notPrincipals") || s.has("namespaces") || s.has("notNamespaces"))) {
                    // Istio's validation: "cannot set serviceAccounts with namespaces or principals"
                    error(sp, "serviceAccounts cannot be combined with principals or namespaces (Istio refuses it)");
                }
                from.add(src);
            });
            List<Operation> to = new ArrayList<>();
            forEach(rule.get("to"), p + ".to", (e, ep) -> {
                fields(e, ep + ".", Set.of("operation"), Set.of());
                JsonNode o = required(e, "operation", ep);
                if (o == null) return;
                String op = ep + ".operation";
                fields(o, op + ".", OPERATION, OPERATION_UNSUPPORTED);
                Operation oper = new Operation(wildcards(o, "methods", op), wildcards(o, "notMethods", op),
                        paths(o, "paths", op), paths(o, "notPaths", op));
                if (o.isEmpty()) error(op, "must set at least one field");
                to.add(oper);
            });
            List<Condition> when = new ArrayList<>();
            forEach(rule.get("when"), p + ".when", (e, ep) -> {
                fields(e, ep + ".", CONDITION, Set.of());
                String key = text(e.get("key"), ep + ".key", true);
                if (key != null && !HEADER_KEY.matcher(key).matches() && !CONDITION_KEYS.contains(key)) {
                    // Istio's other keys (source.ip, destination.port, connection.sni, request.auth.* for JWTs, ...)
                    // are refused like unknown ones: the mesh has no request authentication, and no IP or port rules.
                    error(ep + ".key", key + " is not supported by Strait (supported: request.headers[Name], "
                            + "source.principal, source.namespace, source.serviceAccount)");
                }
                boolean account = "source.serviceAccount".equals(key);
                boolean identity = key != null && CONDITION_KEYS.contains(key);
                List<String> values = account ? serviceAccounts(e, "values", ep)
                        : identity ? wildcards(e, "values", ep) : strings(e, "values", ep);
                List<String> notValues = account ? serviceAccounts(e, "notValues", ep)
                        : identity ? wildcards(e, "notValues", ep) : strings(e, "notValues", ep);
                if (values.isEmpty() && notValues.isEmpty()) error(ep, "must set values or notValues");
                if (key != null) when.add(new Condition(key, values, notValues));
            });
            out.add(new Rule(List.copyOf(from), List.copyOf(to), List.copyOf(when)));
        }
        return List.copyOf(out);
    }

    private interface Entry {
        void read(JsonNode element, String path);
    }

    private void forEach(JsonNode list, String path, Entry entry) {
        if (list == null || list.isNull() || !array(list, path)) return;
        if (list.isEmpty() && !path.endsWith(".when")) {
            // Istio's validation: "`from` must not be empty" (and `to`); leaving the field out places no constraint
            error(path, "must not be empty; leave it out to place no constraint");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String ep = path + "[" + i + "]";
            if (object(list.get(i), ep)) entry.read(list.get(i), ep);
        }
    }

    private JsonNode required(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            error(path + "." + field, "required");
            return null;
        }
        return object(n, path + "." + field) ? n : null;
    }

    private List<String> paths(JsonNode parent, String field, String path) {
        List<String> out = strings(parent, field, path);
        for (int i = 0; i < out.size(); i++) {
            String v = out.get(i);
            String problem = v.contains("{") || v.contains("}") ? StringMatch.templateProblem(v) : wildcardProblem(v);
            if (problem != null) error(path + "." + field + "[" + i + "]", problem);
        }
        return out;
    }

    /** Service accounts, checked as Istio does and qualified with the policy's namespace ({@link ServiceAccounts}). */
    private List<String> serviceAccounts(JsonNode parent, String field, String path) {
        List<String> out = strings(parent, field, path);
        if (out.size() > ServiceAccounts.MAX_VALUES) {
            error(path + "." + field, "at most " + ServiceAccounts.MAX_VALUES + " service accounts (Istio's limit)");
        }
        List<String> qualified = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            String problem = ServiceAccounts.problem(out.get(i));
            if (problem != null) error(path + "." + field + "[" + i + "]", problem);
            qualified.add(ServiceAccounts.qualified(out.get(i), policyNamespace));
        }
        return List.copyOf(qualified);
    }

    /** Strings where {@code *} may only be a prefix, a suffix or the whole value (Istio's string match forms). */
    private List<String> wildcards(JsonNode parent, String field, String path) {
        List<String> out = strings(parent, field, path);
        for (int i = 0; i < out.size(); i++) {
            String problem = wildcardProblem(out.get(i));
            if (problem != null) error(path + "." + field + "[" + i + "]", problem);
        }
        return out;
    }

    /**
     * Istio reads {@code a*b} as the literal text {@code a*b} (and {@code *a*} as the suffix {@code a*}), which never
     * matches a principal, namespace, method or path as meant: refused instead.
     */
    private static String wildcardProblem(String v) {
        if (v.equals("*")) return null;
        int star = v.indexOf('*', 1);
        if (star >= 0 && star != v.length() - 1 || v.length() > 1 && v.startsWith("*") && v.endsWith("*")) {
            return "'*' only as a prefix or suffix, or alone";
        }
        return null;
    }

    private List<String> strings(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        String p = path + "." + field;
        if (n == null || n.isNull()) return List.of();
        if (!array(n, p)) return List.of();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String v = text(n.get(i), p + "[" + i + "]", true);
            if (v != null) {
                if (v.isEmpty()) error(p + "[" + i + "]", "must not be empty");
                else out.add(v);
            }
        }
        return List.copyOf(out);
    }

    private void fields(JsonNode node, String prefix, Set<String> known, Set<String> unsupported) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (unsupported.contains(f)) error(prefix + f, "not supported by Strait");
            else if (!known.contains(f)) error(prefix + f, "unknown field (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
        }
    }

    private String text(JsonNode node, String path, boolean required) {
        if (node == null || node.isNull()) {
            if (required) error(path, "required");
            return null;
        }
        if (!node.isValueNode() || node.isBinary()) {
            error(path, "must be a string");
            return null;
        }
        return node.asText();
    }

    private boolean object(JsonNode node, String path) {
        if (node.isObject()) return true;
        error(path.isEmpty() ? "(document)" : path, "must be a mapping");
        return false;
    }

    private boolean array(JsonNode node, String path) {
        if (node.isArray()) return true;
        error(path, "must be a list");
        return false;
    }

    private void error(String path, String message) {
        errors.add(where + path + ": " + message);
    }
}
