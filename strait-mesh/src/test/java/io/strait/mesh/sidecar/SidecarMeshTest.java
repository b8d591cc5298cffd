package io.strait.mesh.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpRequest;
import io.strait.mesh.authz.PolicyReader;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.peerauth.PeerAuthentication;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.TestPki;
import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.testing.TestBackend;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real sidecars with real mutual TLS: the app of "web" calls "orders" through web's outbound port, which
 * connects to orders' inbound port with web's SVID, which checks orders' policy and forwards to the orders app
 * with web's identity in X-Forwarded-Client-Cert. Clients made by hand knock on orders' inbound port directly
 * with plaintext and with certificates a mesh must refuse.
 */
class SidecarMeshTest {
    static final String POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: orders, namespace: shop}
            spec:
              selector: {matchLabels: {app: orders}}
              action: ALLOW
              rules:
              - from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]
                to: [{operation: {paths: ["/echo/*"]}}]
            """;
    static final SpiffeId ORDERS = MeshTestbed.id("shop", "orders");
    static final SpiffeId WEB = MeshTestbed.id("shop", "web");

    static MeshTestbed pki;
    static TestBackend ordersApp;
    static TestBackend webApp;
    static SidecarEngine orders;
    static SidecarEngine web;
    static Svid webSvid;

    @BeforeAll
    static void start() throws Exception {
        pki = new MeshTestbed();
        ordersApp = new TestBackend("orders-app");
        webApp = new TestBackend("web-app");
        orders = SidecarEngine.start(MeshTestbed.config("orders", "shop", "orders", ordersApp.port(), null, Map.of()),
                new MeshState(pki.svid("shop", "orders"), pki.bundle, PeerAuthentication.STRICT, PolicyReader.parse("p.yaml", POLICY), List.of()));
        webSvid = pki.svid("shop", "web");
        web = SidecarEngine.start(MeshTestbed.config("web", "shop", "web", webApp.port(), null, Map.of("orders", 0)),
                new MeshState(webSvid, pki.bundle, PeerAuthentication.STRICT, List.of(),
                        List.of(MeshTestbed.service("orders", "shop", orders, ORDERS))));
    }

    @AfterAll
    static void stop() {
        if (web != null) web.close();
        if (orders != null) orders.close();
        ordersApp.close();
        webApp.close();
    }

    static String sha256(X509Certificate c) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    static List<String> paths(TestBackend app) {
        return app.received().stream().map(HttpRequest::uri).toList();
    }

    @Test
    void anAllowedCallReachesTheAppWithTheCallersIdentityAndNoClientSentXfcc() throws Exception {
        String expected = "By=" + ORDERS.uri() + ";Hash=" + sha256(webSvid.leaf()) + ";URI=" + WEB.uri();
        for (String host : List.of("orders", "orders.shop", "orders.shop.svc.cluster.local:80")) {
            MeshTestbed.Response r = MeshTestbed.get(web.outboundPort(), host, "/echo/" + host.length(),
                    Map.of("X-Forwarded-Client-Cert", "By=spiffe://cluster.local/ns/shop/sa/orders;URI=spiffe://cluster.local/ns/ops/sa/admin"));
            assertThat(r.status()).as(host + ": " + r.body()).isEqualTo(200);
            HttpRequest seen = ordersApp.received().stream().filter(q -> q.uri().equals("/echo/" + host.length())).findFirst().orElseThrow();
            assertThat(seen.headers().getAll("x-forwarded-client-cert")).containsExactly(expected);
        }
        // the local port of orders: no Host needed
        MeshTestbed.Response r = MeshTestbed.get(web.outboundPort("orders"), "localhost", "/echo/port", Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("orders-app");
    }

    @Test
    void theAppMayUseTheSidecarAsAnHttpProxy() throws Exception {
        MeshTestbed.Run r = MeshTestbed.run("curl", "-sS", "-x", "http://127.0.0.1:" + web.outboundPort(), "http://orders.shop/echo/proxied");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("orders-app").contains("/echo/proxied");
    }

    @Test
    void opensslSeesTheSvidTheInboundPortPresentsAndVerifiesItAgainstTheBundle(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        MeshTestbed.writePem(dir, "web", webSvid);
        java.nio.file.Files.writeString(dir.resolve("bundle.pem"), pki.bundle.pem());
        MeshTestbed.Run s = MeshTestbed.run("openssl", "s_client", "-connect", "127.0.0.1:" + orders.inboundPort(), "-CAfile",
                dir.resolve("bundle.pem").toString(), "-cert", dir.resolve("web.pem").toString(), "-key", dir.resolve("web.key").toString());
        assertThat(s.output()).contains("Verify return code: 0 (ok)").contains("TLSv1.3");
        String served = s.output().substring(s.output().indexOf("-----BEGIN CERTIFICATE-----"),
                s.output().indexOf("-----END CERTIFICATE-----") + "-----END CERTIFICATE-----".length()) + "\n";
        java.nio.file.Files.writeString(dir.resolve("served.pem"), served);
        MeshTestbed.Run x = MeshTestbed.run("openssl", "x509", "-in", dir.resolve("served.pem").toString(), "-noout", "-ext", "subjectAltName");
        assertThat(x.output()).contains("URI:" + ORDERS.uri());
    }

    @Test
    void theAdminApiShowsTheEffectiveConfigWithoutKeyMaterial() throws Exception {
        assertThat(MeshTestbed.get(orders.adminPort(), "localhost", "/ready", Map.of()).status()).isEqualTo(200);
        MeshTestbed.Response config = MeshTestbed.get(orders.adminPort(), "localhost", "/config", Map.of());
        assertThat(config.status()).isEqualTo(200);
        assertThat(config.body()).contains("(svid from the control plane)").contains("inbound-app").contains("\"authz\"")
                .contains("\"peerauth\"").contains("meshOutbound")
                .doesNotContain("PRIVATE KEY").doesNotContain("sjt_");
        MeshTestbed.Response clusters = MeshTestbed.get(web.adminPort(), "localhost", "/clusters", Map.of());
        assertThat(clusters.status()).isEqualTo(200);
        assertThat(clusters.body()).contains("orders.shop");
    }

    @Test
    void aDeniedCallIs403RbacDeniedAndNeverReachesTheApp() throws Exception {
        MeshTestbed.Response r = MeshTestbed.get(web.outboundPort(), "orders", "/admin/secret", Map.of());
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("\"error\":\"rbac_denied\"").contains("RBAC: access denied").contains("\"requestId\"");
        assertThat(paths(ordersApp)).doesNotContain("/admin/secret");
    }

    @Test
    void aServiceWhoseEndpointIsDownIsA503SayingWhy() throws Exception {
        TestBackend app = new TestBackend("caller-app");
        TestBackend gone = new TestBackend("gone");
        int port = gone.port();
        gone.close();
        MeshState.Service down = new MeshState.Service("orders", "shop", List.of(new MeshState.Endpoint(
                new io.strait.config.model.HostPort("127.0.0.1", port), ORDERS, null, Map.of())), null);
        try (SidecarEngine caller = SidecarEngine.start(MeshTestbed.config("caller", "shop", "web", app.port(), null, Map.of()),
                new MeshState(webSvid, pki.bundle, PeerAuthentication.STRICT, List.of(), List.of(down)))) {
            MeshTestbed.Response r = MeshTestbed.get(caller.outboundPort(), "orders", "/echo/down", Map.of());
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body()).contains("\"error\":\"upstream_connect_failure\"").contains("127.0.0.1:" + port).contains("\"requestId\"");
        } finally {
            app.close();
        }
    }

    @Test
    void aServiceWithoutEndpointsIs503NamingItOnTheOutboundAndItsLocalPort() throws Exception {
        TestBackend app = new TestBackend("caller-app");
        MeshState.Service none = new MeshState.Service("orders", "shop", List.of(), null);
        try (SidecarEngine caller = SidecarEngine.start(MeshTestbed.config("caller", "shop", "web", app.port(), null,
                Map.of("orders", 0, "ghost", 0)), new MeshState(webSvid, pki.bundle, PeerAuthentication.STRICT, List.of(), List.of(none)))) {
            for (int port : List.of(caller.outboundPort(), caller.outboundPort("orders"))) {
                MeshTestbed.Response r = MeshTestbed.get(port, "orders.shop.svc.cluster.local", "/x", Map.of());
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.body()).contains("\"error\":\"no_healthy_upstream\"").contains("service orders.shop has no endpoints");
            }
            MeshTestbed.Response ghost = MeshTestbed.get(caller.outboundPort("ghost"), "anything", "/x", Map.of());
            assertThat(ghost.status()).isEqualTo(404);
            assertThat(ghost.body()).contains("no mesh service 'ghost' for this local port");
            // endpoints arrive: the same port reaches the service
            ApplyResult a = caller.update(caller.state().withServices(List.of(MeshTestbed.service("orders", "shop", orders, ORDERS))));
            assertThat(a.applied()).as(String.join("; ", a.errors())).isTrue();
            assertThat(MeshTestbed.get(caller.outboundPort("orders"), "x", "/echo/arrived", Map.of()).status()).isEqualTo(200);
        } finally {
            app.close();
        }
    }

    @Test
    void anUnknownServiceIsANamedRouteError() throws Exception {
        MeshTestbed.Response r = MeshTestbed.get(web.outboundPort(), "payments", "/x", Map.of());
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("\"error\":\"route_not_found\"").contains("no mesh service 'payments'");
    }

    @Test
    void strictRefusesPlaintextAndCertificatesThatAreNotValidSvidsOfTheMesh() throws Exception {
        int port = orders.inboundPort();
        SSLContext valid = MeshTestbed.tls(webSvid.chain(), webSvid.privateKey(), pki.bundle.roots());
        assertThat(MeshTestbed.getTls(valid, port, "orders", "/echo/direct", Map.of()).status()).isEqualTo(200);

        assertThatThrownBy(() -> MeshTestbed.get(port, "orders", "/echo/plain", Map.of())).isInstanceOf(IOException.class);
        SSLContext none = MeshTestbed.tls(null, null, pki.bundle.roots());
        assertThatThrownBy(() -> MeshTestbed.getTls(none, port, "orders", "/echo/no-cert", Map.of())).isInstanceOf(IOException.class);

        MeshTestbed other = new MeshTestbed();
        Svid foreign = other.svid("shop", "web");
        SSLContext otherCa = MeshTestbed.tls(foreign.chain(), foreign.privateKey(), pki.bundle.roots());
        assertThatThrownBy(() -> MeshTestbed.getTls(otherCa, port, "orders", "/echo/other-ca", Map.of())).isInstanceOf(IOException.class);

        WorkloadKey key = WorkloadKey.generate();
        Instant now = Instant.now();
        X509Certificate expired = TestPki.handMadeLeaf(pki.root, key.publicKey(), now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)),
                WEB.uri());
        SSLContext old = MeshTestbed.tls(List.of(expired, pki.root.root()), key.privateKey(), pki.bundle.roots());
        assertThatThrownBy(() -> MeshTestbed.getTls(old, port, "orders", "/echo/expired", Map.of())).isInstanceOf(IOException.class);

        X509Certificate twoUris = TestPki.handMadeLeaf(pki.root, key.publicKey(), now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1)),
                WEB.uri(), "spiffe://cluster.local/ns/ops/sa/admin");
        SSLContext two = MeshTestbed.tls(List.of(twoUris, pki.root.root()), key.privateKey(), pki.bundle.roots());
        assertThatThrownBy(() -> MeshTestbed.getTls(two, port, "orders", "/echo/two-uris", Map.of())).isInstanceOf(IOException.class);
        X509Certificate otherDomain = TestPki.handMadeLeaf(pki.root, key.publicKey(), now.minus(Duration.ofMinutes(1)),
                now.plus(Duration.ofHours(1)), "spiffe://other.example/ns/shop/sa/web");
        SSLContext foreignDomain = MeshTestbed.tls(List.of(otherDomain, pki.root.root()), key.privateKey(), pki.bundle.roots());
        assertThatThrownBy(() -> MeshTestbed.getTls(foreignDomain, port, "orders", "/echo/other-domain", Map.of()))
                .isInstanceOf(IOException.class);

        assertThat(paths(ordersApp)).contains("/echo/direct")
                .doesNotContain("/echo/plain", "/echo/no-cert", "/echo/other-ca", "/echo/expired", "/echo/two-uris",
                        "/echo/other-domain");
    }

    @Test
    void aServerWhoseIdentityIsNotTheExpectedOneIsRefusedWith502() throws Exception {
        TestBackend app = new TestBackend("caller-app");
        SpiffeId payments = MeshTestbed.id("shop", "payments");
        try (SidecarEngine caller = SidecarEngine.start(MeshTestbed.config("caller", "shop", "web", app.port(), null, Map.of()),
                new MeshState(webSvid, pki.bundle, PeerAuthentication.STRICT, List.of(),
                        List.of(MeshTestbed.service("orders", "shop", orders, payments))))) {
            int before = ordersApp.requestCount();
            MeshTestbed.Response r = MeshTestbed.get(caller.outboundPort(), "orders", "/echo/impostor", Map.of());
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.body()).contains("\"error\":\"upstream_tls_failure\"")
                    .contains("does not match " + payments.uri()).contains("URI:" + ORDERS.uri());
            assertThat(ordersApp.requestCount()).isEqualTo(before);
        } finally {
            app.close();
        }
    }

    @Test
    void aServerCertificateWithTheExpectedIdAndAnotherUriIsNotAnSvidAndIsRefused() throws Exception {
        WorkloadKey key = WorkloadKey.generate();
        Instant now = Instant.now();
        X509Certificate twoUris = TestPki.handMadeLeaf(pki.root, key.publicKey(), now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1)),
                ORDERS.uri(), "spiffe://cluster.local/ns/ops/sa/admin");
        TestBackend rogue = TestBackend.tls("rogue", io.netty.handler.ssl.SslContextBuilder.forServer(key.privateKey(), twoUris, pki.root.root())
                .build());
        TestBackend app = new TestBackend("caller-app");
        MeshState.Service service = new MeshState.Service("orders", "shop", List.of(new MeshState.Endpoint(
                new io.strait.config.model.HostPort("127.0.0.1", rogue.port()), ORDERS, null, Map.of())), null);
        try (SidecarEngine caller = SidecarEngine.start(MeshTestbed.config("caller", "shop", "web", app.port(), null, Map.of()),
                new MeshState(webSvid, pki.bundle, PeerAuthentication.STRICT, List.of(), List.of(service)))) {
            MeshTestbed.Response r = MeshTestbed.get(caller.outboundPort(), "orders", "/echo/rogue", Map.of());
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.body()).contains("\"error\":\"upstream_tls_failure\"").contains("exactly one URI SAN (this one has 2)");
            assertThat(rogue.requestCount()).isZero();
        } finally {
            app.close();
            rogue.close();
        }
    }

    @Test
    void permissiveAcceptsPlaintextAndMutualTlsOnOnePortAndAStrictPushClosesPlaintextAgain() throws Exception {
        TestBackend app = new TestBackend("legacy-app");
        Svid svid = pki.svid("shop", "legacy");
        MeshState permissive = new MeshState(svid, pki.bundle, PeerAuthentication.PERMISSIVE, List.of(), List.of());
        try (SidecarEngine legacy = SidecarEngine.start(MeshTestbed.config("legacy", "shop", "legacy", app.port(), null, Map.of()), permissive)) {
            int port = legacy.inboundPort();
            MeshTestbed.Response plain = MeshTestbed.get(port, "legacy", "/echo/plain",
                    Map.of("X-Forwarded-Client-Cert", "URI=spiffe://cluster.local/ns/ops/sa/admin"));
            assertThat(plain.status()).isEqualTo(200);
            HttpRequest seen = app.received().stream().filter(q -> q.uri().equals("/echo/plain")).findFirst().orElseThrow();
            assertThat(seen.headers().contains("x-forwarded-client-cert")).isFalse();

            SSLContext mtls = MeshTestbed.tls(webSvid.chain(), webSvid.privateKey(), pki.bundle.roots());
            assertThat(MeshTestbed.getTls(mtls, port, "legacy", "/echo/mtls", Map.of()).status()).isEqualTo(200);
            HttpRequest viaTls = app.received().stream().filter(q -> q.uri().equals("/echo/mtls")).findFirst().orElseThrow();
            assertThat(viaTls.headers().get("x-forwarded-client-cert")).endsWith(";URI=" + WEB.uri());

            ApplyResult strict = legacy.update(legacy.state().withPeerAuthentication(PeerAuthentication.STRICT));
            assertThat(strict.applied()).as(String.join("; ", strict.errors())).isTrue();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                try {
                    MeshTestbed.get(port, "legacy", "/echo/after-strict", Map.of());
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            });
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                try {
                    MeshTestbed.getTls(MeshTestbed.tls(null, null, pki.bundle.roots()), port, "legacy", "/echo/no-cert", Map.of());
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            });
            assertThat(MeshTestbed.getTls(mtls, port, "legacy", "/echo/mtls-again", Map.of()).status()).isEqualTo(200);

            // a policy push applies to the next request: an ALLOW policy without rules allows nothing
            ApplyResult locked = legacy.update(legacy.state().withPolicies(PolicyReader.parse("lock.yaml", """
                    apiVersion: security.istio.io/v1
                    kind: AuthorizationPolicy
                    metadata: {name: lock, namespace: shop}
                    spec: {}
                    """)));
            assertThat(locked.applied()).as(String.join("; ", locked.errors())).isTrue();
            MeshTestbed.Response denied = MeshTestbed.getTls(mtls, port, "legacy", "/echo/locked", Map.of());
            assertThat(denied.status()).isEqualTo(403);
            assertThat(denied.body()).contains("rbac_denied");
            assertThat(paths(app)).doesNotContain("/echo/locked");
        } finally {
            app.close();
        }
    }

    @Test
    void aStateWithAnotherWorkloadsSvidIsRefusedAndTheOldOneServes() throws Exception {
        long generation = web.proxy().snapshot().generation();
        ApplyResult r = web.update(web.state().withSvid(pki.svid("shop", "orders")));
        assertThat(r.applied()).isFalse();
        assertThat(r.errors()).singleElement().asString().contains("not this workload's");
        CaMaterial otherRoot = new MeshTestbed().root;
        assertThat(otherRoot).isNotNull();
        Svid foreign = new MeshTestbed().svid("shop", "web");
        ApplyResult r2 = web.update(web.state().withSvid(foreign));
        assertThat(r2.applied()).isFalse();
        assertThat(r2.errors()).singleElement().asString().contains("does not lead to a root of the trust bundle");
        assertThat(web.proxy().snapshot().generation()).isEqualTo(generation);
        assertThat(MeshTestbed.get(web.outboundPort(), "orders", "/echo/still", Map.of()).status()).isEqualTo(200);
        assertThat(web.state().svid()).isEqualTo(webSvid);
    }
}
