package io.strait.mesh.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code authz} filter end to end: a real mTLS listener (clients with SPIFFE URI SANs), a real backend and an
 * Istio policy. The allowed principal passes; another gets the 403 and the backend never sees it; plaintext callers
 * (optional client auth, no certificate) have no principal.
 */
class AuthzFilterTest {
    static TestCerts.Ca ca;
    static TestCerts.Ca mesh;
    static TestCerts.Issued checkout;
    static TestCerts.Issued web;
    static TestBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("strait-authz");
        TestCerts certs = new TestCerts(dir);
        ca = certs.ca("ca");
        mesh = certs.ca("mesh-ca");
        ca.server("sidecar", "localhost");
        checkout = mesh.client("checkout", "CN=checkout", "spiffe://cluster.local/ns/shop/sa/checkout");
        web = mesh.client("web", "CN=web", "spiffe://cluster.local/ns/shop/sa/web");
        Files.writeString(dir.resolve("policy.yaml"), """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: orders, namespace: shop}
                spec:
                  selector: {matchLabels: {app: orders}}
                  rules:
                  - from: [{source: {principals: ["cluster.local/ns/shop/sa/checkout"]}}]
                    to: [{operation: {methods: ["POST", "GET"], paths: ["/orders*"]}}]
                  - to: [{operation: {paths: ["/healthz"]}}]
                """);
        backend = new TestBackend("orders");
        proxy = ProxyFixture.start("""
                observability: {accessLog: {enabled: false}}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    tls:
                      certificates: [{certFile: sidecar.pem, keyFile: sidecar.key}]
                      clientAuth: {mode: optional, caFile: mesh-ca.pem}
                clusters:
                  orders: {endpoints: [{address: ${b}}]}
                routes:
                  - name: orders
                    match: {pathPrefix: /}
                    cluster: orders
                    filters:
                      - authz: {policies: [policy.yaml], namespace: shop, labels: {app: orders, version: v1}}
                """, Map.of("b", backend.address()), new AuthzFilters(), dir);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        if (backend != null) backend.close();
    }

    static HttpResponse<String> get(SSLContext ctx, String path) throws Exception {
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ctx)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return c.send(HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void allowedPrincipalPassesOthersGet403AndNeverReachTheBackend() throws Exception {
        int before = backend.requestCount();
        double deniedBefore = denials();
        assertThat(get(checkout.sslContext(ca), "/orders/1").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.requestCount() == before + 1);

        HttpResponse<String> denied = get(web.sslContext(ca), "/orders/1");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("\"error\":\"rbac_denied\"").contains("\"message\":\"RBAC: access denied\"")
                .contains("\"requestId\":");
        // A path that normalizes into /orders is still the web principal's: denied.
        assertThat(get(web.sslContext(ca), "/x/../orders/%32").statusCode()).isEqualTo(403);
        assertThat(get(checkout.sslContext(ca), "/x/../orders/%32").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.requestCount() == before + 2);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> backend.requestCount() == before + 2);
        assertThat(denials()).isEqualTo(deniedBefore + 2);
    }

    /** strait_authz_denied_total{policy="none",rule="none"} from the admin's /metrics. */
    static double denials() {
        String metrics = proxy.admin("GET", "/metrics").body();
        return metrics.lines().filter(l -> l.startsWith("strait_authz_denied_total{policy=\"none\",rule=\"none\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    @Test
    void plaintextCallerHasNoPrincipal() throws Exception {
        assertThat(get(ca.clientContext(), "/orders/1").statusCode()).isEqualTo(403);
        assertThat(get(ca.clientContext(), "/healthz").statusCode()).isEqualTo(200);
    }
}
