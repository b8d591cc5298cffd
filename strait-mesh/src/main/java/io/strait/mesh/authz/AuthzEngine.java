package io.strait.mesh.authz;

import io.strait.mesh.authz.AuthorizationPolicy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Istio's AuthorizationPolicy evaluation, compiled once and immutable. A policy applies to a workload when it sits
 * in the workload's namespace or in the root namespace ({@value #DEFAULT_ROOT_NAMESPACE} by default, mesh-wide) and
 * its {@code matchLabels} are all among the workload's labels (no selector: every workload there). Order: DENY
 * policies first (any matching rule denies), then ALLOW (none applying allows everything; otherwise a matching rule
 * is needed); AUDIT policies only mark the decision. A sidecar serves one workload: {@link #forWorkload} once, then
 * {@link Workload#evaluate} per request, which allocates nothing but the decision.
 */
public final class AuthzEngine {
    /** Istio's default root namespace: its policies apply to every workload of the mesh. */
    public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

    private final List<Compiled> policies;
    private final String rootNamespace;

    private record Compiled(AuthorizationPolicy policy, CompiledRule[] rules) {}

    public AuthzEngine(List<AuthorizationPolicy> policies, String rootNamespace) {
        this.rootNamespace = rootNamespace;
        this.policies = policies.stream()
                .map(p -> new Compiled(p, p.rules() == null ? new CompiledRule[0]
                        : p.rules().stream().map(CompiledRule::new).toArray(CompiledRule[]::new)))
                .toList();
    }

    public AuthzEngine(List<AuthorizationPolicy> policies) {
        this(policies, DEFAULT_ROOT_NAMESPACE);
    }

    /** The policies that apply to the workload in {@code namespace} with {@code labels}, ready to evaluate. */
    public Workload forWorkload(String namespace, Map<String, String> labels) {
        List<Compiled> deny = new ArrayList<>();
        List<Compiled> allow = new ArrayList<>();
        List<Compiled> audit = new ArrayList<>();
        for (Compiled c : policies) {
            AuthorizationPolicy p = c.policy();
            if (!p.appliesTo(namespace, labels, rootNamespace)) continue;
            (p.action() == Action.DENY ? deny : p.action() == Action.ALLOW ? allow : audit).add(c);
        }
        return new Workload(deny.toArray(Compiled[]::new), allow.toArray(Compiled[]::new), audit.toArray(Compiled[]::new));
    }

    /** The compiled policies of one workload. Immutable; safe on any thread. */
    public static final class Workload {
        private final Compiled[] deny;
        private final Compiled[] allow;
        private final Compiled[] audit;

        private Workload(Compiled[] deny, Compiled[] allow, Compiled[] audit) {
            this.deny = deny;
            this.allow = allow;
            this.audit = audit;
        }

        public AuthzDecision evaluate(RequestAttributes req) {
            String audited = null;
            for (Compiled c : audit) {
                if (match(c, req) >= 0) {
                    audited = c.policy().id();
                    break;
                }
            }
            for (Compiled c : deny) {
                int rule = match(c, req);
                if (rule >= 0) return new AuthzDecision(false, c.policy().id(), rule, "DENY policy matched", audited);
            }
            if (allow.length == 0) return new AuthzDecision(true, null, -1, "no ALLOW policy for the workload", audited);
            for (Compiled c : allow) {
                int rule = match(c, req);
                if (rule >= 0) return new AuthzDecision(true, c.policy().id(), rule, "ALLOW policy matched", audited);
            }
            return new AuthzDecision(false, null, -1, "no ALLOW policy matched", audited);
        }

        /** Whether the workload has any ALLOW policy (then everything not allowed is denied). */
        public boolean hasAllowPolicies() {
            return allow.length > 0;
        }

        private static int match(Compiled c, RequestAttributes req) {
            CompiledRule[] rules = c.rules();
            for (int i = 0; i < rules.length; i++) {
                if (rules[i].matches(req)) return i;
            }
            return -1;
        }
    }
}
