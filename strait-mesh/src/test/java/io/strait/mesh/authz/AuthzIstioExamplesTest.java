package io.strait.mesh.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Policy evaluation cases taken from Istio's documented examples: the AuthorizationPolicy reference
 * (istio.io/latest/docs/reference/config/security/authorization-policy/), the authorization concepts page
 * (istio.io/latest/docs/concepts/security/#authorization), the tasks "HTTP traffic" (tasks/security/authorization/authz-http),
 * "Explicit deny" (authz-deny) and the "Security policy examples" page (ops/configuration/security/security-policy-examples).
 * Each test is named by the example and decides the requests as the page says.
 */
class AuthzIstioExamplesTest {
    private static final String SLEEP = "cluster.local/ns/default/sa/sleep";

    private static AuthzEngine.Workload workload(String yaml, String ns, Map<String, String> labels) throws PolicyException {
        return new AuthzEngine(PolicyReader.parse("istio-example.yaml", yaml)).forWorkload(ns, labels);
    }

    private static boolean allowed(AuthzEngine.Workload w, String from, String method, String path, Map<String, String> headers) {
        return w.evaluate(new AuthzRequest(Peer.of(from), method, path, headers)).allowed();
    }

    private static boolean allowed(AuthzEngine.Workload w, String from, String method, String path) {
        return allowed(w, from, method, path, Map.of());
    }

    /** Reference: "allow-nothing" ({@code spec: {}}) denies every request to the namespace's workloads. */
    @Test
    void allowNothing() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                 name: allow-nothing
                 namespace: foo
                spec:
                  {}
                """, "foo", Map.of("app", "httpbin"));
        assertThat(allowed(w, SLEEP, "GET", "/")).isFalse();
        assertThat(allowed(w, null, "GET", "/")).isFalse();
    }

    /** Reference: "allow-all" ({@code rules: [{}]}) allows every request, even with an allow-nothing beside it. */
    @Test
    void allowAll() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                 name: allow-all
                 namespace: foo
                spec:
                 rules:
                 - {}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: allow-nothing, namespace: foo}
                spec: {}
                """, "foo", Map.of());
        assertThat(allowed(w, null, "DELETE", "/anything")).isTrue();
    }

    /** Security policy examples, "deny all": {@code action: DENY} with {@code rules: [{}]} beats any ALLOW. */
    @Test
    void denyAll() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: deny-all, namespace: foo}
                spec:
                  action: DENY
                  rules:
                  - {}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: allow-all, namespace: foo}
                spec: {rules: [{}]}
                """, "foo", Map.of());
        AuthzDecision d = w.evaluate(new AuthzRequest(Peer.of(SLEEP), "GET", "/", Map.of()));
        assertThat(d.allowed()).isFalse();
        assertThat(d.policy()).isEqualTo("foo/deny-all");
    }

    /** Reference: the first example, from the sleep principal or namespace test, GET /info* or POST /data. */
    @Test
    void allowByPrincipalOrNamespace() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: httpbin
                  namespace: foo
                spec:
                  action: ALLOW
                  rules:
                  - from:
                    - source:
                        principals: ["cluster.local/ns/default/sa/sleep"]
                    - source:
                        namespaces: ["test"]
                    to:
                    - operation:
                        methods: ["GET"]
                        paths: ["/info*"]
                    - operation:
                        methods: ["POST"]
                        paths: ["/data"]
                """, "foo", Map.of("app", "httpbin"));
        assertThat(allowed(w, SLEEP, "GET", "/info")).isTrue();
        assertThat(allowed(w, SLEEP, "GET", "/information/x")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/test/sa/anyone", "POST", "/data")).isTrue();
        assertThat(allowed(w, SLEEP, "POST", "/info")).isFalse();
        assertThat(allowed(w, SLEEP, "GET", "/data")).isFalse();
        assertThat(allowed(w, "cluster.local/ns/prod/sa/sleep", "GET", "/info")).isFalse();
        assertThat(allowed(w, null, "GET", "/info")).isFalse();
    }

    /** Reference: DENY POST from the dev namespace to every workload of foo; other requests are not affected. */
    @Test
    void denyPostFromDevNamespace() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: httpbin
                  namespace: foo
                spec:
                  action: DENY
                  rules:
                  - from:
                    - source:
                        namespaces: ["dev"]
                    to:
                    - operation:
                        methods: ["POST"]
                """, "foo", Map.of("app", "anything"));
        assertThat(allowed(w, "cluster.local/ns/dev/sa/a", "POST", "/x")).isFalse();
        assertThat(allowed(w, "cluster.local/ns/dev/sa/a", "GET", "/x")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/prod/sa/a", "POST", "/x")).isTrue();
        assertThat(allowed(w, null, "POST", "/x")).isTrue();
    }

    /** Concepts page: deny requests to httpbin v1 whose source is not the foo namespace (plaintext included). */
    @Test
    void denyByNotNamespaces() throws Exception {
        var yaml = """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                 name: httpbin-deny
                 namespace: foo
                spec:
                 selector:
                   matchLabels:
                     app: httpbin
                     version: v1
                 action: DENY
                 rules:
                 - from:
                   - source:
                       notNamespaces: ["foo"]
                """;
        var v1 = workload(yaml, "foo", Map.of("app", "httpbin", "version", "v1"));
        assertThat(allowed(v1, "cluster.local/ns/bar/sa/a", "GET", "/")).isFalse();
        assertThat(allowed(v1, null, "GET", "/")).isFalse();
        assertThat(allowed(v1, "cluster.local/ns/foo/sa/a", "GET", "/")).isTrue();
        var v2 = workload(yaml, "foo", Map.of("app", "httpbin", "version", "v2"));
        assertThat(allowed(v2, "cluster.local/ns/bar/sa/a", "GET", "/")).isTrue();
    }

    /** Concepts page: "allow-read", GET and HEAD to every workload of the default namespace. */
    @Test
    void allowRead() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: allow-read
                  namespace: default
                spec:
                  action: ALLOW
                  rules:
                  - to:
                    - operation:
                         methods: ["GET", "HEAD"]
                """, "default", Map.of("app", "x"));
        assertThat(allowed(w, null, "HEAD", "/a")).isTrue();
        assertThat(allowed(w, SLEEP, "GET", "/a")).isTrue();
        assertThat(allowed(w, SLEEP, "PUT", "/a")).isFalse();
    }

    /** Concepts page, exclusion: allow from any authenticated caller except to /healthz, which needs none. */
    @Test
    void exclusionWithNotPaths() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: disable-jwt-for-healthz
                  namespace: default
                spec:
                  selector:
                    matchLabels:
                      app: products
                  action: ALLOW
                  rules:
                  - to:
                    - operation:
                        notPaths: ["/healthz"]
                    from:
                    - source:
                        principals: ["*"]
                  - to:
                    - operation:
                        paths: ["/healthz"]
                """, "default", Map.of("app", "products"));
        assertThat(allowed(w, null, "GET", "/healthz")).isTrue();
        assertThat(allowed(w, null, "GET", "/products")).isFalse();
        assertThat(allowed(w, SLEEP, "GET", "/products")).isTrue();
    }

    /** Concepts page, value matching: {@code /test/*} prefix and {@code *}{@code /info} suffix. */
    @Test
    void prefixAndSuffixPaths() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: tester
                  namespace: default
                spec:
                  selector:
                    matchLabels:
                      app: products
                  rules:
                  - to:
                    - operation:
                        paths: ["/test/*", "*/info"]
                """, "default", Map.of("app", "products"));
        assertThat(allowed(w, null, "GET", "/test/a/b")).isTrue();
        assertThat(allowed(w, null, "GET", "/a/b/info")).isTrue();
        assertThat(allowed(w, null, "GET", "/test")).isFalse();
        assertThat(allowed(w, null, "GET", "/info/a")).isFalse();
    }

    /** Task "HTTP traffic": details-viewer, only the productpage account may GET details. */
    @Test
    void bookinfoDetailsViewer() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: details-viewer
                  namespace: default
                spec:
                  selector:
                    matchLabels:
                      app: details
                  action: ALLOW
                  rules:
                  - from:
                    - source:
                        principals: ["cluster.local/ns/default/sa/bookinfo-productpage"]
                    to:
                    - operation:
                        methods: ["GET"]
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: allow-nothing
                  namespace: default
                spec:
                  {}
                """, "default", Map.of("app", "details", "version", "v1"));
        assertThat(allowed(w, "cluster.local/ns/default/sa/bookinfo-productpage", "GET", "/details/0")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/default/sa/bookinfo-reviews", "GET", "/details/0")).isFalse();
        assertThat(allowed(w, "cluster.local/ns/default/sa/bookinfo-productpage", "POST", "/details/0")).isFalse();
    }

    /** Task "Explicit deny": deny-method-get with notValues admin on x-token, and allow-path-ip beside it. */
    @Test
    void explicitDenyWithHeaderNotValues() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: deny-method-get
                  namespace: foo
                spec:
                  selector:
                    matchLabels:
                      app: httpbin
                  action: DENY
                  rules:
                  - to:
                    - operation:
                        methods: ["GET"]
                    when:
                    - key: request.headers[x-token]
                      notValues: ["admin"]
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: allow-path-ip
                  namespace: foo
                spec:
                  selector:
                    matchLabels:
                      app: httpbin
                  action: ALLOW
                  rules:
                  - to:
                    - operation:
                        paths: ["/ip"]
                """, "foo", Map.of("app", "httpbin"));
        assertThat(allowed(w, SLEEP, "GET", "/ip", Map.of("x-token", "guest"))).isFalse();
        assertThat(allowed(w, SLEEP, "GET", "/ip", Map.of("x-token", "admin"))).isTrue();
        assertThat(allowed(w, SLEEP, "GET", "/get", Map.of("x-token", "admin"))).isFalse();
    }

    /** Security policy examples, "Namespace isolation": only callers from foo (and the ingress) reach foo. */
    @Test
    void namespaceIsolationWithIngressException() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: ns-isolation-except-ingress
                  namespace: foo
                spec:
                  action: ALLOW
                  rules:
                  - from:
                    - source:
                        namespaces: ["foo"]
                    - source:
                        principals: ["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"]
                """, "foo", Map.of());
        assertThat(allowed(w, "cluster.local/ns/foo/sa/any", "GET", "/")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account", "GET", "/")).isTrue();
        assertThat(allowed(w, "cluster.local/ns/bar/sa/any", "GET", "/")).isFalse();
        assertThat(allowed(w, null, "GET", "/")).isFalse();
    }

    /** Security policy examples, "Require mTLS in authorization layer": DENY notPrincipals ["*"] in the root namespace. */
    @Test
    void requireMtlsMeshWide() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: require-mtls
                  namespace: istio-system
                spec:
                  action: DENY
                  rules:
                  - from:
                    - source:
                        notPrincipals: ["*"]
                """, "any-namespace", Map.of("app", "x"));
        assertThat(allowed(w, null, "GET", "/")).isFalse();
        assertThat(allowed(w, SLEEP, "GET", "/")).isTrue();
    }

    /** Reference: the AUDIT example marks GET /user/profile/* of myapi and never changes the answer. */
    @Test
    void auditUserProfile() throws Exception {
        var w = workload("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  namespace: ns1
                  name: anyname
                spec:
                  selector:
                    matchLabels:
                      app: myapi
                  action: AUDIT
                  rules:
                  - to:
                    - operation:
                        methods: ["GET"]
                        paths: ["/user/profile/*"]
                """, "ns1", Map.of("app", "myapi"));
        AuthzDecision d = w.evaluate(new AuthzRequest(Peer.PLAINTEXT, "GET", "/user/profile/7", Map.of()));
        assertThat(d.allowed()).isTrue();
        assertThat(d.audit()).isEqualTo("ns1/anyname");
        assertThat(w.evaluate(new AuthzRequest(Peer.PLAINTEXT, "POST", "/user/profile/7", Map.of())).audit()).isNull();
    }
}
