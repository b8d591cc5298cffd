package io.strait.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.HostPort;
import io.strait.mesh.controlplane.ControlPlane;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.mesh.sidecar.MeshState;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.runtime.ProxyServer;
import io.strait.proxy.tls.CertificateSources;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway's mesh identity against a real control plane and a real sidecar: the engine's cluster presents the
 * identity's SVID to the sidecar (whose app sees it in X-Forwarded-Client-Cert), the pushed endpoints arrive, a
 * renewal swaps the SVID in the certificate source, and a refused join token is an error that never shows it.
 */
class MeshClientIdentityTest {
    @TempDir
    Path dir;
    private ControlPlane cp;
    private MeshAgent orders;
    private MeshClientIdentity identity;
    private ProxyServer gateway;
    private HttpServer app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        cp = OrdersMesh.controlPlane(dir, OrdersMesh.ONLY_THE_GATEWAY_CALLS_ORDERS);
        app = OrdersMesh.app();
        String token = cp.tokens().create("default", "orders", Duration.ofHours(1), 1).join().token();
        orders = MeshAgent.start(new SidecarConfig("orders", "default", "orders", null, Map.of("app", "orders"),
                new SidecarConfig.ControlPlane(new HostPort("127.0.0.1", cp.apiPort()), dir.resolve("bundle.pem"), token, null),
                new SidecarConfig.Inbound("127.0.0.1", 0, app.getAddress().getPort(), null), new SidecarConfig.Outbound(0, Map.of()),
                new SidecarConfig.Admin(0)), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        if (identity != null) identity.close();
        if (orders != null) orders.close();
        if (app != null) app.stop(0);
        if (cp != null) cp.close();
    }

    private MeshClientIdentity.Settings settings(String token) {
        return new MeshClientIdentity.Settings(new HostPort("127.0.0.1", cp.apiPort()), cp.bundle().pem(), token, "default", "gateway",
                "cluster.local");
    }

    private String gatewayToken() {
        return cp.tokens().create("default", "gateway", Duration.ofHours(1), 1).join().token();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aGatewaysClusterReachesASidecarWithTheIdentitysSvidAcrossARenewal() throws Exception {
        identity = MeshClientIdentity.start(settings(gatewayToken()), Clock.systemUTC());
        assertThat(SvidVerifier.identity(identity.certificate())).isEqualTo(new SpiffeId("cluster.local", "default", "gateway"));
        assertThat(identity.certificates().current().chain().get(0)).isEqualTo(identity.certificate());
        assertThat(identity.certificates().current().trustBundle()).isEqualTo(cp.bundle().roots());

        // the pushed endpoints: orders' sidecar, with the identity it must prove and its labels
        List<Map<String, List<MeshState.Endpoint>>> pushed = new CopyOnWriteArrayList<>();
        identity.onEndpoints(pushed::add);
        HostPort inbound = new HostPort("127.0.0.1", orders.engine().inboundPort());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(identity.endpoints().get("default/orders"))
                .containsExactly(new MeshState.Endpoint(inbound, new SpiffeId("cluster.local", "default", "orders"), null, Map.of("app", "orders"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> !pushed.isEmpty());
        assertThat(identity.config().lastNack()).isNull();
        await().atMost(Duration.ofSeconds(20)).until(() -> orders.config().accepted().containsKey(io.strait.mesh.xds.TypeUrls.AUTHORIZATION_POLICIES));

        var config = ConfigLoader.parse("""
                listeners: [{name: public, address: "127.0.0.1:0"}]
                clusters:
                  orders:
                    endpoints: [{address: "%s"}]
                    tls: {sni: orders.default.svc.cluster.local, verifySubjectAltName: ["spiffe://cluster.local/ns/default/sa/orders"], minVersion: TLSv1.3}
                routes: [{name: orders, match: {pathPrefix: /}, cluster: orders}]
                """.formatted(inbound), "gateway.yaml");
        gateway = ProxyServer.start(config, null, FilterModule.NONE, new CertificateSources().cluster("orders", identity.certificates()));
        HttpResponse<String> r = get("/orders/1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).startsWith("orders saw By=spiffe://cluster.local/ns/default/sa/orders;Hash=")
                .endsWith(";URI=spiffe://cluster.local/ns/default/sa/gateway");

        var before = identity.certificate();
        identity.renewNow();
        assertThat(identity.certificate().getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        assertThat(identity.certificates().current().chain().get(0)).isEqualTo(identity.certificate());
        HttpResponse<String> after = get("/orders/2");
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(after.body()).endsWith(";URI=spiffe://cluster.local/ns/default/sa/gateway");
    }

    @Test
    void aUsedJoinTokenIsRefusedWithoutShowingIt() throws Exception {
        String token = gatewayToken();
        identity = MeshClientIdentity.start(settings(token), Clock.systemUTC());
        assertThatThrownBy(() -> MeshClientIdentity.start(settings(token), Clock.systemUTC()))
                .isInstanceOf(MeshAgentException.class)
                .hasMessageContaining("UNAUTHENTICATED")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
        assertThat(settings(token).toString()).doesNotContain(token);
    }
}
