package io.strait.mesh.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.mesh.authz.AuthorizationPolicy.Action;
import io.strait.mesh.authz.AuthorizationPolicy.Condition;
import io.strait.mesh.authz.AuthorizationPolicy.Operation;
import io.strait.mesh.authz.AuthorizationPolicy.Rule;
import io.strait.mesh.authz.AuthorizationPolicy.Source;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The control plane's push of a policy: every field survives the round trip, the JSON is what Jackson's data binding
 * wrote (so old and new control planes and sidecars read each other), and what is not a policy is refused.
 */
class PolicyJsonTest {
    /** The data binding PolicyJson used before it wrote and read by hand: the wire format's reference. */
    private static final ObjectMapper JACKSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private static final String EVERY_FIELD = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: orders-in, namespace: shop}
            spec:
              selector:
                matchLabels: {app: orders, version: v1, "tier.kubernetes.io/name": "back end"}
              action: DENY
              rules:
              - from:
                - source:
                    principals: ["cluster.local/ns/shop/sa/web", "*/sa/admin"]
                    notPrincipals: ["cluster.local/ns/shop/sa/bot"]
                    namespaces: [shop, "pay*"]
                    notNamespaces: [legacy]
                - source: {serviceAccounts: [web, ops/deployer], notServiceAccounts: [intruder]}
                to:
                - operation: {methods: [GET, HEAD], notMethods: [DELETE], paths: ["/orders/*", "/health"], notPaths: ["*/admin"]}
                - operation: {notPaths: ["/private"]}
                when:
                - {key: "request.headers[X-Tenant]", values: [acme, "üñí \\"quoted\\""], notValues: [evil]}
                - {key: source.principal, notValues: ["cluster.local/ns/x/sa/y"]}
                - {key: source.namespace, values: [shop]}
                - {key: source.serviceAccount, values: [web]}
              - {}
              - to: [{operation: {methods: [POST]}}]
            """;

    static Stream<AuthorizationPolicy> policies() throws Exception {
        String head = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\n";
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("z", "last");
        labels.put("a", "");
        return Stream.of(
                PolicyReader.parse("every.yaml", EVERY_FIELD).get(0),
                PolicyReader.parse("empty.yaml", head + "spec: {}\n").get(0), // rules null: allows nothing
                PolicyReader.parse("deny-all.yaml", head + "spec: {action: DENY, rules: [{}]}\n").get(0),
                PolicyReader.parse("audit.yaml", head + "spec: {action: AUDIT, rules: [{from: [{source: {namespaces: [a]}}]}]}\n").get(0),
                PolicyReader.parse("allow-all.yaml", head + "spec: {rules: [{}]}\n").get(0),
                new AuthorizationPolicy(null, "ns", "by-code", labels, Action.ALLOW, List.of(new Rule(
                        List.of(new Source(List.of("p"), List.of(), List.of(), List.of())),
                        List.of(new Operation(List.of(), List.of("PUT"), List.of(), List.of())),
                        List.of(new Condition("source.namespace", List.of(), List.of("x")))))),
                // every field of a source at once (the reader refuses service accounts with principals; the record does not)
                new AuthorizationPolicy("code", "ns", "all", Map.of(), Action.DENY, List.of(new Rule(
                        List.of(new Source(List.of("a"), List.of("b"), List.of("c"), List.of("d"), List.of("ns/e"), List.of("ns/f"))),
                        List.of(new Operation(List.of("GET"), List.of("PUT"), List.of("/x"), List.of("/y"))),
                        List.of(new Condition("request.headers[A]", List.of("1"), List.of("2")))))));
    }

    @ParameterizedTest
    @MethodSource("policies")
    void everyFieldSurvivesTheRoundTrip(AuthorizationPolicy p) {
        assertThat(PolicyJson.read(PolicyJson.write(p))).isEqualTo(p);
    }

    @ParameterizedTest
    @MethodSource("policies")
    void theJsonIsWhatJacksonsDataBindingWroteAndReads(AuthorizationPolicy p) throws Exception {
        String json = PolicyJson.write(p);
        assertThat(json).isEqualTo(JACKSON.writeValueAsString(p));
        // an older sidecar, which reads with data binding, gets the same policy (rules null aside: it refused those)
        if (p.rules() != null) assertThat(JACKSON.readValue(json, AuthorizationPolicy.class)).isEqualTo(p);
    }

    @Test
    void theReaderSeesEveryField() throws Exception {
        AuthorizationPolicy p = PolicyJson.read(PolicyJson.write(PolicyReader.parse("every.yaml", EVERY_FIELD).get(0)));
        assertThat(p.source()).isEqualTo("every.yaml [0]");
        assertThat(p.id()).isEqualTo("shop/orders-in");
        assertThat(p.selector()).containsOnly(Map.entry("app", "orders"), Map.entry("version", "v1"),
                Map.entry("tier.kubernetes.io/name", "back end"));
        assertThat(p.action()).isEqualTo(Action.DENY);
        assertThat(p.rules()).hasSize(3);
        Rule r = p.rules().get(0);
        assertThat(r.from()).containsExactly(new Source(List.of("cluster.local/ns/shop/sa/web", "*/sa/admin"),
                List.of("cluster.local/ns/shop/sa/bot"), List.of("shop", "pay*"), List.of("legacy")),
                new Source(List.of(), List.of(), List.of(), List.of(), List.of("shop/web", "ops/deployer"), List.of("shop/intruder")));
        assertThat(r.to()).containsExactly(new Operation(List.of("GET", "HEAD"), List.of("DELETE"), List.of("/orders/*", "/health"),
                List.of("*/admin")), new Operation(List.of(), List.of(), List.of(), List.of("/private")));
        assertThat(r.when()).hasSize(4);
        assertThat(r.when().get(0)).isEqualTo(new Condition("request.headers[X-Tenant]", List.of("acme", "üñí \"quoted\""),
                List.of("evil")));
        assertThat(p.rules().get(1)).isEqualTo(new Rule(List.of(), List.of(), List.of()));
    }

    @Test
    void absentOrNullListsInARuleAreEmpty() {
        AuthorizationPolicy p = PolicyJson.read("""
                {"namespace": "n", "name": "x", "selector": {}, "action": "ALLOW",
                 "rules": [{"from": [{"principals": null}], "when": [{"key": "source.principal"}]}]}""");
        assertThat(p.source()).isNull();
        assertThat(p.rules()).containsExactly(new Rule(List.of(new Source(List.of(), List.of(), List.of(), List.of())),
                List.of(), List.of(new Condition("source.principal", List.of(), List.of()))));
    }

    private static final String VALID = """
            {"source": "s", "namespace": "n", "name": "x", "selector": {"app": "a"}, "action": "ALLOW", "rules": []}""";

    @Test
    void missingRequiredFieldsAreRefused() {
        for (String field : List.of("namespace", "name", "selector", "action", "rules")) {
            String json = VALID.replaceFirst("\"" + field + "\": (\"[^\"]*\"|\\{[^}]*}|\\[])", "\"unused\": 0")
                    .replace("\"unused\": 0, ", "").replace(", \"unused\": 0", "");
            assertThat(json).doesNotContain("\"" + field + "\"");
            assertThatThrownBy(() -> PolicyJson.read(json)).as(field).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an authorization policy needs namespace, name, selector, action and rules (missing: " + field + ")");
        }
        assertThatThrownBy(() -> PolicyJson.read("{}")).hasMessage("an authorization policy needs namespace, name, selector,"
                + " action and rules (missing: namespace, name, selector, action, rules)");
        for (String field : List.of("namespace", "name", "selector", "action")) {
            String json = VALID.replaceFirst("\"" + field + "\": (\"[^\"]*\"|\\{[^}]*})", "\"" + field + "\": null");
            assertThatThrownBy(() -> PolicyJson.read(json)).as(field)
                    .hasMessageEndingWith("(missing: " + field + ")");
        }
        assertThat(PolicyJson.read(VALID.replace("\"rules\": []", "\"rules\": null")).rules()).isNull();
    }

    static Stream<List<String>> malformed() {
        return Stream.of(
                List.of(VALID.replace("\"source\"", "\"sauce\""), "not an authorization policy: unknown field 'sauce'"
                        + " (expected action, name, namespace, rules, selector, source)"),
                List.of(VALID.replace("[]", "[{\"from\": [], \"ports\": []}]"), "not an authorization policy: rules[0]:"
                        + " unknown field 'ports' (expected from, to, when)"),
                List.of(VALID.replace("[]", "[{\"from\": [{\"ipBlocks\": []}]}]"), "not an authorization policy:"
                        + " rules[0].from[0]: unknown field 'ipBlocks' (expected namespaces, notNamespaces, notPrincipals,"
                        + " notServiceAccounts, principals, serviceAccounts)"),
                List.of(VALID.replace("[]", "[{\"to\": [{\"hosts\": []}]}]"), "not an authorization policy: rules[0].to[0]:"
                        + " unknown field 'hosts' (expected methods, notMethods, notPaths, paths)"),
                List.of(VALID.replace("[]", "[{\"when\": [{\"key\": \"k\", \"value\": []}]}]"), "not an authorization policy:"
                        + " rules[0].when[0]: unknown field 'value' (expected key, notValues, values)"),
                List.of(VALID.replace("\"n\"", "5"), "not an authorization policy: namespace: must be a string, not a number"),
                List.of(VALID.replace("{\"app\": \"a\"}", "{\"app\": true}"), "not an authorization policy: selector.app:"
                        + " must be a string, not a boolean"),
                List.of(VALID.replace("{\"app\": \"a\"}", "[]"), "not an authorization policy: selector: must be an object of labels"),
                List.of(VALID.replace("ALLOW", "allow"), "not an authorization policy: action: must be ALLOW, DENY or AUDIT, not 'allow'"),
                List.of(VALID.replace("\"ALLOW\"", "0"), "not an authorization policy: action: must be a string, not a number"),
                List.of(VALID.replace("[]", "{}"), "not an authorization policy: rules: must be an array"),
                List.of(VALID.replace("[]", "[[]]"), "not an authorization policy: rules[0]: must be an object"),
                List.of(VALID.replace("[]", "[{\"from\": [{\"principals\": \"a\"}]}]"), "not an authorization policy:"
                        + " rules[0].from[0].principals: must be an array of strings"),
                List.of(VALID.replace("[]", "[{\"to\": [{\"paths\": [\"/a\", null]}]}]"), "not an authorization policy:"
                        + " rules[0].to[0].paths[1]: must be a string, not null"),
                List.of(VALID.replace("[]", "[{\"when\": [{\"values\": [\"v\"]}]}]"), "not an authorization policy:"
                        + " rules[0].when[0].key: is required"),
                List.of(VALID.replace("[]", "[{\"when\": {}}]"), "not an authorization policy: rules[0].when: must be an array"),
                List.of("[]", "not an authorization policy: must be a JSON object"),
                List.of("", "not an authorization policy: must be a JSON object"),
                List.of("policy", "not an authorization policy: not valid JSON at line 1, column 1: Unrecognized token 'policy':"
                        + " was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                List.of(VALID + " {}", "not an authorization policy: not valid JSON at line 1: more than one value; send one object"),
                List.of(VALID.replace("\"source\": \"s\"", "\"name\": \"s\""), "not an authorization policy: not valid JSON at"
                        + " line 1, column 39: duplicate key 'name'"),
                List.of("{\"namespace\": ", "not an authorization policy: not valid JSON at line 1, column 15: Unexpected"
                        + " end-of-input within/between Object entries"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedPoliciesAreRefusedWithTheReason(List<String> jsonAndMessage) {
        assertThatThrownBy(() -> PolicyJson.read(jsonAndMessage.get(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(jsonAndMessage.get(1));
    }
}
