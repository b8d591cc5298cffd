package io.strait.mesh.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.mesh.authz.AuthorizationPolicy.Action;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader: Istio's documents, and an error naming the path for every field Strait does not support. */
class PolicyReaderTest {
    private static final String HEAD = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: p, namespace: foo}
            """;

    private static List<String> errors(String yaml) {
        try {
            PolicyReader.parse("policy.yaml", yaml);
        } catch (PolicyException e) {
            return e.errors();
        }
        throw new AssertionError("no error for " + yaml);
    }

    @Test
    void readsMultipleDocumentsWithDefaults() throws Exception {
        List<AuthorizationPolicy> ps = PolicyReader.parse("policy.yaml", """
                apiVersion: security.istio.io/v1beta1
                kind: AuthorizationPolicy
                metadata: {name: a}
                spec: {}
                ---
                ---
                """ + HEAD + "spec: {action: DENY, selector: {matchLabels: {app: x}}, rules: [{}]}\n");
        assertThat(ps).hasSize(2);
        assertThat(ps.get(0).id()).isEqualTo("default/a");
        assertThat(ps.get(0).action()).isEqualTo(Action.ALLOW);
        assertThat(ps.get(0).rules()).isNull();
        assertThat(ps.get(1).id()).isEqualTo("foo/p");
        assertThat(ps.get(1).selector()).containsEntry("app", "x");
        assertThat(ps.get(1).rules()).hasSize(1);
    }

    @Test
    void unsupportedFieldsAreErrorsWithTheirPath() {
        String second = HEAD + """
                spec:
                  rules:
                  - from:
                    - source: {ipBlocks: ["1.2.3.4"], requestPrincipals: ["*"]}
                    to:
                    - operation: {hosts: ["a"], ports: ["80"]}
                    when:
                    - {key: "request.auth.claims[iss]", values: ["x"]}
                    - {key: "request.headers[x]"}
                """;
        assertThat(errors(HEAD + "spec: {}\n---\n" + second)).containsExactly(
                "policy.yaml: [1] spec.rules[0].from[0].source.ipBlocks: not supported by Strait",
                "policy.yaml: [1] spec.rules[0].from[0].source.requestPrincipals: not supported by Strait",
                "policy.yaml: [1] spec.rules[0].to[0].operation.hosts: not supported by Strait",
                "policy.yaml: [1] spec.rules[0].to[0].operation.ports: not supported by Strait",
                "policy.yaml: [1] spec.rules[0].when[0].key: request.auth.claims[iss] is not supported by Strait"
                        + " (supported: request.headers[Name], source.principal, source.namespace, source.serviceAccount)",
                "policy.yaml: [1] spec.rules[0].when[1]: must set values or notValues");
    }

    @Test
    void customActionProviderAndTargetRefAreRefused() {
        assertThat(errors(HEAD + "spec: {action: CUSTOM, provider: {name: ext}}\n")).containsExactly(
                "policy.yaml: [0] spec.provider: not supported by Strait",
                "policy.yaml: [0] spec.action: CUSTOM is not supported by Strait");
        assertThat(errors(HEAD + "spec: {targetRefs: [{kind: Gateway, name: g}]}\n"))
                .containsExactly("policy.yaml: [0] spec.targetRefs: not supported by Strait");
    }

    @Test
    void unknownFieldsAndBadShapesAreErrors() {
        assertThat(errors(HEAD + "spec: {rules: [{from: [{source: {principal: [a]}}]}]}\n")).containsExactly(
                "policy.yaml: [0] spec.rules[0].from[0].source.principal: unknown field (known: namespaces, "
                        + "notNamespaces, notPrincipals, notServiceAccounts, principals, serviceAccounts)");
        assertThat(errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nspec: {}\n")).containsExactly(
                "policy.yaml: [0] apiVersion: must be security.istio.io/v1 or security.istio.io/v1beta1, not v1",
                "policy.yaml: [0] kind: must be AuthorizationPolicy, not ConfigMap");
        assertThat(errors(HEAD + "spec: {action: allow, rules: {}}\n")).containsExactly(
                "policy.yaml: [0] spec.action: must be ALLOW, DENY or AUDIT, not allow",
                "policy.yaml: [0] spec.rules: must be a list");
        // Path templates are supported since Istio's {*}/{**} were checked against Istio (AuthzIstioSemanticsTest);
        // a template Istio's CheckValidPathTemplate refuses is still an error.
        assertThat(errors(HEAD + "spec: {rules: [{to: [{operation: {paths: [\"/a/{*}.txt\", \"/a*b*\"]}}]}]}\n")).containsExactly(
                "policy.yaml: [0] spec.rules[0].to[0].operation.paths[0]: segment '{*}.txt' of a path template must be"
                        + " {*}, {**} or literal characters (no '*', '{', '}', '=' or empty segments)",
                "policy.yaml: [0] spec.rules[0].to[0].operation.paths[1]: '*' only as a prefix or suffix, or alone");
        assertThat(errors("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nspec: {}\n"))
                .containsExactly("policy.yaml: [0] metadata: required");
        assertThat(errors(HEAD + "spec: {}\n---\na: [unclosed\n")).singleElement().asString()
                .startsWith("policy.yaml: [1] not valid YAML");
    }

    @Test
    void unreadableFileNamesIt() {
        assertThatThrownBy(() -> PolicyReader.read(List.of(java.nio.file.Path.of("/nonexistent/p.yaml"))))
                .isInstanceOf(PolicyException.class).hasMessageStartingWith("/nonexistent/p.yaml: cannot read");
    }
}
