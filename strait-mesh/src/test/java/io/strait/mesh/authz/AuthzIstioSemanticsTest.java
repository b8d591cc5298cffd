package io.strait.mesh.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Strait's evaluation checked against Istio's own sources, one case per behaviour, each naming where it comes from:
 * istio/api {@code security/v1beta1/authorization_policy.proto} (the reference page's text), istio/istio
 * {@code pilot/pkg/security/authz/model/generator.go} and {@code matcher/} (what Istio generates for Envoy's RBAC
 * filter), {@code pkg/config/validation/validation.go} (what Istio refuses) and the ISTIO-SECURITY-2021-004 advisory.
 */
class AuthzIstioSemanticsTest {
    private static final String HEAD = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: foo}
            """;
    private static final Map<String, String> LABELS = Map.of("app", "httpbin");

    private static AuthzEngine.Workload workload(String spec) throws PolicyException {
        return new AuthzEngine(PolicyReader.parse("policy.yaml", HEAD + spec)).forWorkload("foo", LABELS);
    }

    private static boolean allowed(AuthzEngine.Workload w, String from, String method, String path, Map<String, String> headers) {
        return w.evaluate(new AuthzRequest(Peer.of(from), method, path, headers)).allowed();
    }

    private static boolean allowed(AuthzEngine.Workload w, String from, String path) {
        return allowed(w, from, "GET", path, Map.of());
    }

    private static List<String> errors(String spec) {
        try {
            PolicyReader.parse("policy.yaml", HEAD + spec);
        } catch (PolicyException e) {
            return e.errors();
        }
        throw new AssertionError("no error for " + spec);
    }

    /** ISTIO-SECURITY-2021-004: an ALLOW with notNamespaces lets a plaintext call through (mTLS-only fields). */
    @Test
    void allowWithNotNamespacesAllowsPlaintextAsIstioDoes() throws Exception {
        var w = workload("spec: {rules: [{from: [{source: {notNamespaces: [foo]}}]}]}\n");
        assertThat(allowed(w, null, "/")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/foo/sa/a", "/")).isFalse();
        assertThat(allowed(w, "cluster.local/ns/bar/sa/a", "/")).isTrue();
    }

    /**
     * generator.go srcPrincipalGenerator: principals are Envoy {@code authenticated} matchers, which never match a
     * connection without a peer certificate; {@code *} is the regex {@code .+}. So notPrincipals: ["*"] in a DENY
     * policy denies exactly the plaintext callers (security-policy-examples, "Require mTLS in authorization layer").
     */
    @Test
    void principalsNeverMatchPlaintextSoNotPrincipalsStarDeniesIt() throws Exception {
        var deny = workload("spec: {action: DENY, rules: [{from: [{source: {notPrincipals: [\"*\"]}}]}]}\n");
        assertThat(allowed(deny, null, "/")).isFalse();
        assertThat(allowed(deny, "cluster.local/ns/x/sa/y", "/")).isTrue();
        var allow = workload("spec: {rules: [{from: [{source: {principals: [\"*\"]}}]}]}\n");
        assertThat(allowed(allow, null, "/")).isFalse();
        assertThat(allowed(allow, "cluster.local/ns/x/sa/y", "/")).isTrue();
    }

    /** generator.go srcNamespaceGenerator: the regex {@code .*}{@code /ns/<ns>/.*} over the peer's SPIFFE ID. */
    @Test
    void namespacesComeFromThePeerIdentity() throws Exception {
        var w = workload("spec: {rules: [{from: [{source: {namespaces: [\"team-*\", \"*-prod\"]}}]}]}\n");
        assertThat(allowed(w, "cluster.local/ns/team-a/sa/x", "/")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/shop-prod/sa/x", "/")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/shop/sa/team-a", "/")).isFalse();
        assertThat(allowed(w, null, "/")).isFalse();
    }

    /** authorization_policy.proto, Source: fields ANDed, the values of one field ORed. */
    @Test
    void valuesOfAFieldAreOredAndFieldsAnded() throws Exception {
        var w = workload("""
                spec:
                  rules:
                  - from:
                    - source: {principals: ["*/sa/admin", "*/sa/dev"], namespaces: [prod, test]}
                """);
        assertThat(allowed(w, "cluster.local/ns/prod/sa/admin", "/")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/test/sa/dev", "/")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/stage/sa/admin", "/")).isFalse();
        assertThat(allowed(w, "cluster.local/ns/prod/sa/ops", "/")).isFalse();
    }

    /** matcher/header.go HeaderMatcher: {@code *} is Envoy's present_match, so an empty header value matches too. */
    @Test
    void headerStarIsPresenceEvenWhenEmpty() throws Exception {
        var w = workload("spec: {rules: [{when: [{key: \"request.headers[x-token]\", values: [\"*\"]}]}]}\n");
        assertThat(allowed(w, null, "GET", "/", Map.of("x-token", ""))).isTrue();
        assertThat(allowed(w, null, "GET", "/", Map.of("X-Token", "t"))).isTrue();
        assertThat(allowed(w, null, "GET", "/", Map.of())).isFalse();
    }

    /** model.go: notValues become {@code not_id} of a header matcher, which an absent header does not match. */
    @Test
    void headerNotValuesDoNotExcludeAnAbsentHeader() throws Exception {
        var w = workload("spec: {action: DENY, rules: [{when: [{key: \"request.headers[x-token]\", notValues: [admin]}]}]}\n");
        assertThat(allowed(w, null, "GET", "/", Map.of("x-token", "admin"))).isTrue();
        assertThat(allowed(w, null, "GET", "/", Map.of("x-token", "guest"))).isFalse();
        assertThat(allowed(w, null, "GET", "/", Map.of())).isFalse();
    }

    /** generator.go methodGenerator: an exact, case-sensitive match of {@code :method}; "get" never matches GET. */
    @Test
    void methodsAreCaseSensitive() throws Exception {
        var w = workload("spec: {rules: [{to: [{operation: {methods: [get]}}]}]}\n");
        assertThat(allowed(w, null, "GET", "/", Map.of())).isFalse();
        assertThat(allowed(w, null, "get", "/", Map.of())).isTrue();
    }

    /**
     * authorization_policy.proto, Operation.paths: {@code {*}} is one segment, {@code {**}} zero or more characters
     * across segments (Envoy's uri_template_internal.cc: {@code [pchar]+} and {@code [pchar/]*}, matched whole).
     * The proto says {@code /foo/{**}/} also matches {@code /foo/bar/baz.txt}; Envoy's regex ({@code /foo/[..]*}{@code /})
     * does not, and Envoy is what Istio runs, so neither does Strait.
     */
    @Test
    void pathTemplatesMatchAsEnvoyDoes() throws Exception {
        var one = workload("spec: {rules: [{to: [{operation: {paths: [\"/foo/{*}\"]}}]}]}\n");
        assertThat(allowed(one, null, "/foo/bar")).isTrue();
        assertThat(allowed(one, null, "/foo/bar/baz")).isFalse();
        assertThat(allowed(one, null, "/foo/")).isFalse();
        var any = workload("spec: {rules: [{to: [{operation: {paths: [\"/foo/{**}/\"]}}]}]}\n");
        assertThat(allowed(any, null, "/foo/bar/")).isTrue();
        assertThat(allowed(any, null, "/foo//")).isTrue();
        assertThat(allowed(any, null, "/foo/a/b/")).isTrue();
        assertThat(allowed(any, null, "/foo/bar")).isFalse();
        assertThat(allowed(any, null, "/foo/bar/baz.txt")).isFalse();
        var mixed = workload("spec: {rules: [{to: [{operation: {notPaths: [\"/foo/{*}/bar/{**}\"]}}]}]}\n");
        assertThat(allowed(mixed, null, "/foo/buzz/bar/")).isFalse();
        assertThat(allowed(mixed, null, "/foo/buzz/bar/baz")).isFalse();
        assertThat(allowed(mixed, null, "/foo/buzz/baz")).isTrue();
    }

    /** authorization_policy.proto and security.go CheckValidPathTemplate: the invalid templates the reference lists. */
    @Test
    void invalidPathTemplatesAreRefused() {
        String spec = "spec: {rules: [{to: [{operation: {paths: [\"/*/baz/{*}\", \"/**/baz/{*}\", \"/{**}/foo/{*}\","
                + " \"/foo/{*}.txt\", \"foo/{*}\"]}}]}]}\n";
        String at = "policy.yaml: [0] spec.rules[0].to[0].operation.paths";
        String literal = " of a path template must be {*}, {**} or literal characters (no '*', '{', '}', '=' or empty segments)";
        assertThat(errors(spec)).containsExactly(
                at + "[0]: segment '*'" + literal,
                at + "[1]: segment '**'" + literal,
                at + "[2]: {**} must be the last operator of a path template",
                at + "[3]: segment '{*}.txt'" + literal,
                at + "[4]: a path template must start with '/'");
    }

    /** matcher/string.go: {@code a*b} would be the literal text "a*b" in Istio, never what was meant: refused. */
    @Test
    void starInTheMiddleIsRefused() {
        assertThat(errors("spec: {rules: [{from: [{source: {principals: [\"cluster.local/*/sa/x\"], namespaces: [\"*a*\"]}}]}]}\n"))
                .containsExactly(
                        "policy.yaml: [0] spec.rules[0].from[0].source.principals[0]: '*' only as a prefix or suffix, or alone",
                        "policy.yaml: [0] spec.rules[0].from[0].source.namespaces[0]: '*' only as a prefix or suffix, or alone");
    }

    /** validation.go: "`from` must not be empty", "`to` must not be empty", "`rule` must not be nil". */
    @Test
    void emptyFromToAndNullRulesAreRefused() {
        assertThat(errors("spec: {rules: [{from: [], to: []}, null]}\n")).containsExactly(
                "policy.yaml: [0] spec.rules[0].from: must not be empty; leave it out to place no constraint",
                "policy.yaml: [0] spec.rules[0].to: must not be empty; leave it out to place no constraint",
                "policy.yaml: [0] spec.rules[1]: must be a mapping; write {} for a rule that matches every request");
    }

    /** validation.go: "DENY action without `rules` is meaningless as it will never be triggered". */
    @Test
    void denyWithoutRulesIsRefused() {
        assertThat(errors("spec: {action: DENY}\n")).containsExactly("policy.yaml: [0] spec.rules: a DENY policy without"
                + " rules never denies anything (Istio refuses it); write rules: [{}] to deny every request");
    }

    /** authorization_policy.proto: {@code istio.io/dry-run} policies are not enforced by Istio; Strait refuses them. */
    @Test
    void dryRunPoliciesAreRefused() {
        assertThatThrownBy(() -> PolicyReader.parse("policy.yaml", """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: dry-run-example
                  annotations: {"istio.io/dry-run": "true"}
                spec:
                  action: DENY
                  rules: [{to: [{operation: {paths: ["/headers"]}}]}]
                """)).isInstanceOf(PolicyException.class).hasMessage("policy.yaml: [0] metadata.annotations.istio.io/dry-run:"
                + " dry-run policies are not supported by Strait (Istio would not enforce this policy; Strait would):"
                + " remove the policy or the annotation");
    }

    /** The reference's scope text: a root-namespace policy's selector matches workloads in every namespace. */
    @Test
    void rootNamespaceSelectorAppliesInEveryNamespace() throws Exception {
        var engine = new AuthzEngine(PolicyReader.parse("policy.yaml", """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: allow-nothing, namespace: istio-system}
                spec:
                  selector: {matchLabels: {version: v1}}
                """));
        assertThat(engine.forWorkload("bar", Map.of("version", "v1")).evaluate(req()).allowed()).isFalse();
        assertThat(engine.forWorkload("baz", Map.of("version", "v2")).evaluate(req()).allowed()).isTrue();
    }

    /** The extended-channel trustDomains is named as not supported, not as an unknown field. */
    @Test
    void trustDomainsAreRefusedByName() {
        assertThat(errors("spec: {rules: [{from: [{source: {trustDomains: [td], notTrustDomains: [x]}}]}]}\n")).containsExactly(
                "policy.yaml: [0] spec.rules[0].from[0].source.trustDomains: not supported by Strait",
                "policy.yaml: [0] spec.rules[0].from[0].source.notTrustDomains: not supported by Strait");
    }

    /**
     * authorization_policy.proto, Source.serviceAccounts: {@code <namespace>/<account>} or {@code <account>} of the
     * policy's namespace; generator.go serviceAccountRegex: {@code spiffe://.+/ns/<ns>/(.+/|)sa/<sa>(/.+)?}, so any
     * trust domain, and never a plaintext caller.
     */
    @Test
    void serviceAccountsAsIstioWritesThem() throws Exception {
        var w = workload("""
                spec:
                  rules:
                  - from: [{source: {serviceAccounts: [checkout, "edge/gateway"]}}]
                  - when: [{key: source.serviceAccount, values: [ops/oncall]}]
                """);
        assertThat(allowed(w, "cluster.local/ns/foo/sa/checkout", "/")).isTrue();
        assertThat(allowed(w, "other.domain/ns/edge/sa/gateway", "/")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/bar/sa/checkout", "/")).isFalse();
        assertThat(allowed(w, "cluster.local/ns/foo/sa/checkout-v2", "/")).isFalse();
        assertThat(allowed(w, "cluster.local/ns/ops/sa/oncall", "/")).isTrue();
        assertThat(allowed(w, null, "/")).isFalse();
        var deny = workload("spec: {action: DENY, rules: [{from: [{source: {notServiceAccounts: [foo/web]}}]}]}\n");
        assertThat(allowed(deny, "cluster.local/ns/foo/sa/web", "/")).isTrue();
        assertThat(allowed(deny, "cluster.local/ns/foo/sa/api", "/")).isFalse();
        assertThat(allowed(deny, null, "/")).isFalse();
    }

    /** validation.go and security.go CheckServiceAccount: no wildcard, one '/', not with principals or namespaces. */
    @Test
    void serviceAccountsAreCheckedAsIstioDoes() {
        assertThat(errors("spec: {rules: [{from: [{source: {serviceAccounts: [\"a*\", \"a/b/c\", \"/x\"], principals: [p]}}]}]}\n"))
                .containsExactly(
                        "policy.yaml: [0] spec.rules[0].from[0].source.serviceAccounts[0]: a service account takes no wildcard",
                        "policy.yaml: [0] spec.rules[0].from[0].source.serviceAccounts[1]: must be <account> (in the policy's"
                                + " namespace) or <namespace>/<account>, not 'a/b/c'",
                        "policy.yaml: [0] spec.rules[0].from[0].source.serviceAccounts[2]: must be <account> (in the policy's"
                                + " namespace) or <namespace>/<account>, not '/x'",
                        "policy.yaml: [0] spec.rules[0].from[0].source: serviceAccounts cannot be combined with principals"
                                + " or namespaces (Istio refuses it)");
    }

    private static AuthzRequest req() {
        return new AuthzRequest(Peer.PLAINTEXT, "GET", "/", Map.of());
    }
}
