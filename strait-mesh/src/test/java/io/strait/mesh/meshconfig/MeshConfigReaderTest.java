package io.strait.mesh.meshconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.load.ConfigException;
import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.RetryPolicy.RetryOn;
import io.strait.config.model.TrafficPolicy.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mesh configuration read from real files in a temporary directory: every kind, the lookups, and errors with paths. */
class MeshConfigReaderTest {
    static final String ROOT = "istio-system";

    @TempDir
    Path dir;

    static final String ORDERS_AUTHZ = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: orders, namespace: shop}
            spec:
              selector: {matchLabels: {app: orders}}
              rules:
              - from: [{source: {principals: ["cluster.local/ns/edge/sa/gateway"]}}]
                to: [{operation: {methods: [POST], paths: ["/orders", "/orders/*"]}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: no-admin, namespace: istio-system}
            spec:
              action: DENY
              rules: [{to: [{operation: {paths: ["/admin*"]}}]}]
            """;

    static final String PEERS = """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec: {mtls: {mode: STRICT}}
            ---
            apiVersion: security.istio.io/v1beta1
            kind: PeerAuthentication
            metadata: {name: default, namespace: legacy}
            spec: {mtls: {mode: PERMISSIVE}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: finance, namespace: legacy}
            spec:
              selector: {matchLabels: {app: finance}}
              mtls: {mode: UNSET}
              portLevelMtls:
                9090: {mode: DISABLE}
                8443: {mode: STRICT}
                8080: {}
            """;

    static final String TRAFFIC = """
            apiVersion: strait.io/v1
            kind: TrafficPolicy
            metadata: {name: orders, namespace: shop}
            spec:
              service: orders
              timeout: 2s
              retries: {attempts: 3, retryOn: [5xx, connect-failure], perTryTimeout: 500ms}
              circuitBreaker: {maxRequests: 100, maxRetries: 5}
              outlierDetection: {consecutive5xxErrors: 3, interval: 5s}
              split:
              - {subset: {version: v1}, weight: 90}
              - {subset: {version: v2}, weight: 10}
            ---
            apiVersion: strait.io/v1
            kind: TrafficPolicy
            metadata: {name: users, namespace: shop}
            spec: {service: users}
            """;

    private MeshConfig load() throws ConfigException {
        return MeshConfigReader.read(List.of(Path.of("policies")), dir, ROOT);
    }

    private List<String> errors() {
        return catchThrowableOfType(ConfigException.class, this::load).errors();
    }

    private void write(String name, String text) throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies").resolve(name), text);
    }

    @Test
    void loadsEveryKindFromADirectoryInNameOrder() throws Exception {
        write("b-peers.yaml", PEERS);
        write("a-orders.yml", ORDERS_AUTHZ);
        write("c-traffic.yaml", TRAFFIC);
        write("notes.txt", "not yaml, not read");
        write(".hidden.yaml", "kind: Nonsense");
        MeshConfig c = load();
        assertThat(c.authorizationPolicies()).extracting(p -> p.id()).containsExactly("shop/orders", "istio-system/no-admin");
        assertThat(c.authorizationPolicies().get(0).source()).isEqualTo("policies/a-orders.yml [0]");
        assertThat(c.peerAuthentications()).hasSize(3);
        assertThat(c.trafficPolicies()).hasSize(2);
        assertThat(c.rootNamespace()).isEqualTo(ROOT);
    }

    @Test
    void authorizationLookups() throws Exception {
        write("orders.yaml", ORDERS_AUTHZ);
        MeshConfig c = load();
        assertThat(c.authorizationPolicies("shop", Map.of("app", "orders"))).extracting(p -> p.id())
                .containsExactly("shop/orders", "istio-system/no-admin");
        assertThat(c.authorizationPolicies("shop", Map.of("app", "users"))).extracting(p -> p.id())
                .containsExactly("istio-system/no-admin");
        var orders = c.authorization("shop", Map.of("app", "orders"));
        assertThat(orders.evaluate(new io.strait.mesh.authz.AuthzRequest(io.strait.mesh.authz.Peer.of(
                "cluster.local/ns/edge/sa/gateway"), "POST", "/orders/1", Map.of())).allowed()).isTrue();
        assertThat(orders.evaluate(new io.strait.mesh.authz.AuthzRequest(io.strait.mesh.authz.Peer.of(
                "cluster.local/ns/edge/sa/gateway"), "POST", "/admin", Map.of())).policy()).isEqualTo("istio-system/no-admin");
    }

    /** Istio's ComposePeerAuthentication: workload over namespace over mesh, UNSET inherits, ports resolved. */
    @Test
    void mostSpecificPeerAuthenticationWins() throws Exception {
        write("peers.yaml", PEERS);
        MeshConfig c = load();
        // mesh-wide STRICT
        assertThat(c.mtlsMode("shop", Map.of("app", "orders"), 8080)).isEqualTo(MtlsMode.STRICT);
        // namespace-wide PERMISSIVE over the mesh's STRICT
        assertThat(c.mtlsMode("legacy", Map.of("app", "reports"), 8080)).isEqualTo(MtlsMode.PERMISSIVE);
        // the workload policy is UNSET: it inherits PERMISSIVE from its namespace; its ports override
        EffectiveMtls finance = c.mtls("legacy", Map.of("app", "finance", "version", "v1"));
        assertThat(finance.mode()).isEqualTo(MtlsMode.PERMISSIVE);
        assertThat(finance.mode(9090)).isEqualTo(MtlsMode.DISABLE);
        assertThat(finance.mode(8443)).isEqualTo(MtlsMode.STRICT);
        assertThat(finance.mode(8080)).isEqualTo(MtlsMode.PERMISSIVE);
        assertThat(finance.mode(7000)).isEqualTo(MtlsMode.PERMISSIVE);
        assertThat(finance.decidedBy()).containsExactly("istio-system/default", "legacy/default", "legacy/finance");
        // no policy at all: Istio's default
        assertThat(MeshConfig.EMPTY.mtls("any", Map.of())).isEqualTo(EffectiveMtls.DEFAULT);
        assertThat(MeshConfig.EMPTY.mtlsMode("any", Map.of(), 80)).isEqualTo(MtlsMode.PERMISSIVE);
    }

    @Test
    void workloadPolicyInItsOwnNamespaceOnlyAndFirstLoadedWins() throws Exception {
        write("a.yaml", """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: strict-orders, namespace: shop}
                spec: {selector: {matchLabels: {app: orders}}, mtls: {mode: STRICT}}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: permissive-v2, namespace: shop}
                spec: {selector: {matchLabels: {version: v2}}, mtls: {mode: PERMISSIVE}}
                """);
        MeshConfig c = load();
        assertThat(c.mtlsMode("shop", Map.of("app", "orders", "version", "v2"), 80)).isEqualTo(MtlsMode.STRICT);
        assertThat(c.mtlsMode("shop", Map.of("app", "users", "version", "v2"), 80)).isEqualTo(MtlsMode.PERMISSIVE);
        assertThat(c.mtlsMode("other", Map.of("app", "orders"), 80)).isEqualTo(MtlsMode.PERMISSIVE);
    }

    @Test
    void trafficSettingsUseTheGatewaysRecordsAndDefaults() throws Exception {
        write("traffic.yaml", TRAFFIC);
        MeshConfig c = load();
        ServiceTrafficPolicy orders = c.traffic("shop", "orders").orElseThrow();
        assertThat(orders.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(orders.retries().attempts()).isEqualTo(3);
        assertThat(orders.retries().retryOn()).isEqualTo(Set.of(RetryOn.FIVE_XX, RetryOn.CONNECT_FAILURE));
        assertThat(orders.retries().perTryTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(orders.circuitBreaker()).isEqualTo(new CircuitBreakerConfig(0, 0, 100, 5, null));
        assertThat(orders.outlierDetection()).isEqualTo(new OutlierDetectionConfig(3,
                OutlierDetectionConfig.DEFAULT_CONSECUTIVE_GATEWAY, Duration.ofSeconds(5),
                OutlierDetectionConfig.DEFAULT_BASE_EJECTION_TIME, OutlierDetectionConfig.DEFAULT_MAX_EJECTION_PERCENT));
        assertThat(orders.split()).containsExactly(new Split(Map.of("version", "v1"), 90), new Split(Map.of("version", "v2"), 10));
        ServiceTrafficPolicy users = c.traffic("shop", "users").orElseThrow();
        assertThat(users.retries()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(users.timeout()).isEqualTo(io.strait.config.load.ConfigLoader.DEFAULT_ROUTE_TIMEOUT);
        assertThat(users.circuitBreaker()).isNull();
        assertThat(users.split()).isEmpty();
        assertThat(c.traffic("shop", "products")).isEmpty();
        assertThat(c.traffic("other", "orders")).isEmpty();
    }

    @Test
    void aPushedTrafficPolicyReadsAsTheFileDid() throws Exception {
        write("traffic.yaml", TRAFFIC);
        for (ServiceTrafficPolicy t : load().trafficPolicies()) {
            ServiceTrafficPolicy pushed = MeshConfigReader.trafficPolicy(t.document(), t.serviceId());
            assertThat(pushed).usingRecursiveComparison().ignoringFields("source").isEqualTo(t);
            assertThat(pushed.source()).isEqualTo(t.serviceId());
        }
        assertThat(catchThrowableOfType(ConfigException.class, () -> MeshConfigReader.trafficPolicy("{\"kind\": ", "shop/orders"))
                .errors()).singleElement().asString().startsWith("shop/orders: not valid JSON at line 1, column 10: Unexpected end-of-input");
        assertThat(catchThrowableOfType(ConfigException.class, () -> MeshConfigReader.trafficPolicy("", "shop/orders"))
                .errors()).containsExactly("shop/orders: not valid JSON: no document");
    }

    @Test
    void errorsNameTheFileTheDocumentAndTheField() throws Exception {
        write("orders.yaml", """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: ok, namespace: shop}
                spec: {mtls: {mode: STRICT}}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: orders, namespace: shop}
                spec:
                  rules:
                  - to: [{operation: {paths: ["/a", "/b", "/c*d*"]}}]
                ---
                apiVersion: strait.io/v1
                kind: TrafficPolicy
                metadata: {name: orders, namespace: shop}
                spec:
                  service: orders
                  timeout: 1s
                  retries: {attempts: 11, perTryTimeout: 2s, retryOn: [5xx, teapot]}
                  circuitBreaker: {maxRequest: 10}
                  split: [{subset: {version: v1}, weight: 0}]
                  splits: []
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: bad, namespace: shop}
                spec:
                  mtls: {mode: strict}
                  portLevelMtls: {http: {mode: STRICT}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: orders}
                spec: {host: orders}
                """);
        assertThat(errors()).containsExactly(
                "policies/orders.yaml: [1] spec.rules[0].to[0].operation.paths[2]: '*' only as a prefix or suffix, or alone",
                "policies/orders.yaml: [2] spec.retries.attempts: must be between 0 and 10 (was 11)",
                "policies/orders.yaml: [2] spec.retries.retryOn: unknown value 'teapot'; expected 5xx, gateway-error,"
                        + " connect-failure, reset or a status code 100-599",
                "policies/orders.yaml: [2] spec.retries.perTryTimeout: must be at most the route's timeout (1s)",
                "policies/orders.yaml: [2] spec.circuitBreaker.maxRequest: unknown field (did you mean 'maxRequests'?)",
                "policies/orders.yaml: [2] spec.split: needs at least one weight above 0",
                "policies/orders.yaml: [2] spec.splits: unknown field (did you mean 'split'?)",
                "policies/orders.yaml: [3] spec.mtls.mode: must be STRICT, PERMISSIVE, DISABLE or UNSET, not 'strict'"
                        + " (modes are upper case: STRICT)",
                "policies/orders.yaml: [3] spec.portLevelMtls.http: must be a port 1-65535 (the workload's port, not the service's)",
                "policies/orders.yaml: [3] spec.portLevelMtls: only applies with a selector: Istio refuses port modes in a"
                        + " mesh- or namespace-wide policy",
                "policies/orders.yaml: [4] kind: unknown kind 'DestinationRule': expected one of AuthorizationPolicy,"
                        + " PeerAuthentication, TrafficPolicy (write retries, timeouts, breakers and splits as a"
                        + " strait.io/v1 TrafficPolicy)");
    }

    @Test
    void crossDocumentErrors() throws Exception {
        write("a.yaml", PEERS + """
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: second, namespace: istio-system}
                spec: {mtls: {mode: PERMISSIVE}}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: ignored, namespace: istio-system}
                spec: {selector: {matchLabels: {app: x}}, mtls: {mode: STRICT}}
                """);
        write("b.yaml", TRAFFIC + """
                ---
                apiVersion: strait.io/v1
                kind: TrafficPolicy
                metadata: {name: orders-again, namespace: shop}
                spec: {service: orders}
                ---
                apiVersion: strait.io/v1
                kind: TrafficPolicy
                metadata: {name: orders, namespace: shop}
                spec: {service: products}
                """);
        assertThat(errors()).containsExactly(
                "policies/a.yaml: [3] spec: a second mesh-wide PeerAuthentication (the first is policies/a.yaml [0]);"
                        + " Istio would use the oldest: keep one",
                "policies/a.yaml: [4] spec.selector: Istio ignores a PeerAuthentication with a selector in the root"
                        + " namespace istio-system: move it to the workload's namespace, or drop the selector for a mesh-wide policy",
                "policies/b.yaml: [2] spec.service: service shop/orders already has a TrafficPolicy (policies/b.yaml [0]):"
                        + " write its settings in one",
                "policies/b.yaml: [3] metadata.name: TrafficPolicy shop/orders is defined twice (first at policies/b.yaml [0])");
    }

    @Test
    void badFilesAndHeadsAreErrors() throws Exception {
        write("a.yaml", "kind: PeerAuthentication\napiVersion: security.istio.io/v1\nspec: {}\n---\n- a list\n---\nmetadata: {name: x}\n");
        write("b.yaml", "apiVersion: strait.io/v2\nkind: TrafficPolicy\nmetadata: {name: x, nmespace: y}\n");
        write("c.yaml", "apiVersion: strait.io/v1\n---\nkey: [unclosed\n");
        List<String> errors = errors();
        assertThat(errors).hasSize(8);
        assertThat(errors.get(6)).isEqualTo("policies/c.yaml: [0] kind: is required: one of AuthorizationPolicy,"
                + " PeerAuthentication, TrafficPolicy");
        assertThat(errors.get(7)).startsWith("policies/c.yaml: [1] not valid YAML at line ");
        assertThat(errors).startsWith(
                "policies/a.yaml: [0] metadata: is required (with at least a name)",
                "policies/a.yaml: [1] (document): must be a mapping with apiVersion, kind, metadata and spec",
                "policies/a.yaml: [2] kind: is required: one of AuthorizationPolicy, PeerAuthentication, TrafficPolicy",
                "policies/b.yaml: [0] apiVersion: must be strait.io/v1 for kind TrafficPolicy, not strait.io/v2",
                "policies/b.yaml: [0] metadata.nmespace: unknown field (did you mean 'namespace'?)",
                "policies/b.yaml: [0] spec: is required, with at least the service: spec: {service: orders, ...}");
        assertThat(catchThrowableOfType(ConfigException.class,
                () -> MeshConfigReader.read(List.of(Path.of("missing.yaml")), dir, ROOT)).errors())
                .containsExactly(dir.resolve("missing.yaml").toString().replace(dir + "/", "") + ": no such file or directory");
    }
}
