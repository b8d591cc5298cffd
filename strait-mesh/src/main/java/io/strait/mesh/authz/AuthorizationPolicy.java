package io.strait.mesh.authz;

import java.util.List;
import java.util.Map;

/**
 * One Istio AuthorizationPolicy as read from YAML: where it came from ({@code source}, e.g. {@code policy.yaml [0]}),
 * its namespace and name, its selector ({@code matchLabels}, empty for the whole namespace), action and rules.
 * {@code rules} null means none were written ({@code spec: {}}): an ALLOW policy then allows nothing.
 */
public record AuthorizationPolicy(String source, String namespace, String name, Map<String, String> selector,
                                  Action action, List<Rule> rules) {
    /** The actions Strait supports (Istio's CUSTOM is refused at load). */
    public enum Action { ALLOW, DENY, AUDIT }

    /** {@code from}, {@code to} and {@code when} are ANDed; an empty list places no constraint. */
    public record Rule(List<Source> from, List<Operation> to, List<Condition> when) {}

    /**
     * A {@code from[].source}; every list is ORed within, the lists are ANDed; empty = no constraint. Service accounts
     * are qualified ({@code namespace/account}) by the reader.
     */
    public record Source(List<String> principals, List<String> notPrincipals,
                         List<String> namespaces, List<String> notNamespaces,
                         List<String> serviceAccounts, List<String> notServiceAccounts) {
        /** A source without service accounts. */
        public Source(List<String> principals, List<String> notPrincipals, List<String> namespaces, List<String> notNamespaces) {
            this(principals, notPrincipals, namespaces, notNamespaces, List.of(), List.of());
        }
    }

    /** A {@code to[].operation}. */
    public record Operation(List<String> methods, List<String> notMethods, List<String> paths, List<String> notPaths) {}

    /**
     * A {@code when[]} condition on {@code key}: {@code request.headers[Name]}, {@code source.principal},
     * {@code source.namespace} or {@code source.serviceAccount} (values qualified by the reader).
     */
    public record Condition(String key, List<String> values, List<String> notValues) {}

    /**
     * Whether the policy applies to the workload in {@code workloadNamespace} with {@code labels}: it sits in that
     * namespace or in {@code rootNamespace} (mesh-wide), and its {@code matchLabels} are all among the labels.
     */
    public boolean appliesTo(String workloadNamespace, Map<String, String> labels, String rootNamespace) {
        return (namespace.equals(workloadNamespace) || namespace.equals(rootNamespace))
                && labels.entrySet().containsAll(selector.entrySet());
    }

    /** {@code namespace/name}, how decisions and metrics name the policy. */
    public String id() {
        return namespace + "/" + name;
    }
}
