package io.strait.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.StraitConfig;
import io.strait.mesh.controlplane.ControlPlane;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.runtime.ProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway that joins the mesh from the {@code mesh} section of its file ({@link MeshGateway}), against a real control
 * plane and a real sidecar (STRICT mutual TLS, a policy that lets only the gateway's principal in): its {@code mesh}
 * cluster has no endpoint until the first push (503 no_healthy_upstream), then reaches the service as the gateway's
 * SPIFFE ID, keeps the pushed endpoints across a reload of its file, refuses a changed mesh section, never shows the
 * join token in GET /config, and loses the workload when it leaves the registry.
 */
class MeshGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GATEWAY_ID = "spiffe://cluster.local/ns/default/sa/gateway";
    @TempDir
    Path dir;
    private ControlPlane cp;
    private HttpServer app;
    private MeshAgent orders;
    private MeshGateway mesh;
    private ProxyServer gateway;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        cp = OrdersMesh.controlPlane(dir, """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: istio-system}
                spec:
                  mtls: {mode: STRICT}
                ---
                """ + OrdersMesh.ONLY_THE_GATEWAY_CALLS_ORDERS);
        app = OrdersMesh.app();
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        if (mesh != null) mesh.close();
        if (orders != null) orders.close();
        if (app != null) app.stop(0);
        if (cp != null) cp.close();
    }

    private void startOrders() throws Exception {
        String token = cp.tokens().create("default", "orders", Duration.ofHours(1), 1).join().token();
        orders = MeshAgent.start(new SidecarConfig("orders", "default", "orders", null, Map.of("app", "orders", "version", "v1"),
                new SidecarConfig.ControlPlane(new HostPort("127.0.0.1", cp.apiPort()), dir.resolve("bundle.pem"), token, null),
                new SidecarConfig.Inbound("127.0.0.1", 0, app.getAddress().getPort(), null), new SidecarConfig.Outbound(0, Map.of()),
                new SidecarConfig.Admin(0)), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(20)).until(() -> orders.config().accepted().containsKey(io.strait.mesh.xds.TypeUrls.AUTHORIZATION_POLICIES)
                && orders.config().accepted().containsKey(io.strait.mesh.xds.TypeUrls.PEER_AUTHENTICATION));
    }

    /** The gateway's file: its own identity in the mesh, and cluster orders of the mesh's service orders. */
    private Path gatewayFile(String account, String routeExtra) throws Exception {
        Path f = dir.resolve("gateway.yaml");
        Files.writeString(f, """
                admin: {address: "127.0.0.1:0"}
                listeners: [{name: public, address: "127.0.0.1:0"}]
                mesh:
                  controlPlane: {address: "127.0.0.1:%d", trustBundleFile: bundle.pem, joinTokenFile: gateway.token}
                  serviceAccount: %s
                clusters:
                  orders:
                    mesh: {service: orders}
                routes: [{name: orders, match: {pathPrefix: /}, cluster: orders%s}]
                """.formatted(cp.apiPort(), account, routeExtra));
        return f;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String admin(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void assertNoHealthyUpstream(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("error").asText()).isEqualTo("no_healthy_upstream");
        assertThat(body.path("message").asText()).isEqualTo("no healthy endpoint in cluster orders");
    }

    /** A single-use join token of the gateway's account, written to gateway.token; returned for the secrecy checks. */
    private String freshToken() throws Exception {
        String token = cp.tokens().create("default", "gateway", Duration.ofHours(1), 1).join().token();
        Files.writeString(dir.resolve("gateway.token"), token + "\n");
        return token;
    }

    /** Joins and starts the gateway of gateway.yaml as GatewayCommand does; returns the file. */
    private Path startGateway() throws Exception {
        Path file = gatewayFile("gateway", "");
        StraitConfig config = ConfigLoader.load(file);
        mesh = MeshGateway.join(config.mesh(), Clock.systemUTC());
        gateway = ProxyServer.start(config, file, FilterModule.NONE, mesh.certificates(), mesh);
        mesh.attach(gateway);
        return file;
    }

    @Test
    void aGatewayFromItsFileCallsTheMeshAsItsOwnIdentityAndKeepsThePushedEndpointsAcrossAReload() throws Exception {
        String token = freshToken();
        Path file = startGateway();

        assertNoHealthyUpstream(get("/orders/0")); // no workload of orders yet

        startOrders();
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/orders/1").statusCode() == 200);
        HttpResponse<String> r = get("/orders/1");
        assertThat(r.body()).startsWith("orders saw By=spiffe://cluster.local/ns/default/sa/orders;Hash=").endsWith(";URI=" + GATEWAY_ID);
        ClusterConfig running = gateway.snapshot().config().clusters().get("orders");
        assertThat(running.tls().verifySubjectAltName()).as("the registry's identity of orders' workloads")
                .containsExactly("spiffe://cluster.local/ns/default/sa/orders");
        assertThat(running.tls().sni()).isEqualTo("orders.default.svc.cluster.local");
        assertThat(running.tls().minVersion()).isEqualTo("TLSv1.3");

        // a reload of the file (which names no endpoint) keeps the pushed ones: the very next call is served
        Files.writeString(file, Files.readString(file).replace("cluster: orders}", "cluster: orders, timeout: 5s}"));
        ApplyResult reloaded = gateway.reload();
        assertThat(reloaded.applied()).as("%s", reloaded.errors()).isTrue();
        assertThat(gateway.snapshot().config().routes().getFirst().timeout()).isEqualTo(Duration.ofSeconds(5));
        HttpResponse<String> afterReload = get("/orders/2");
        assertThat(afterReload.statusCode()).as(afterReload.body()).isEqualTo(200);
        assertThat(afterReload.body()).endsWith(";URI=" + GATEWAY_ID);

        // the identity is the one it started with: a changed mesh section is refused, the running config stays
        gatewayFile("checkout", ", timeout: 5s");
        ApplyResult refused = gateway.reload();
        assertThat(refused.applied()).isFalse();
        assertThat(refused.errors()).containsExactly("mesh: the gateway joined the mesh as " + GATEWAY_ID + " at 127.0.0.1:" + cp.apiPort()
                + " from the section it started with; a changed mesh section needs a restart");
        assertThat(get("/orders/3").statusCode()).isEqualTo(200);

        // a reload may turn the cluster into a plain one (the app itself, no TLS) and back: the pushed workloads are still there
        String meshFile = Files.readString(gatewayFile("gateway", ", timeout: 5s"));
        Files.writeString(file, meshFile.replace("mesh: {service: orders}", "endpoints: [{address: \"127.0.0.1:" + app.getAddress().getPort() + "\"}]"));
        assertThat(gateway.reload().applied()).isTrue();
        assertThat(get("/orders/plain").body()).isEqualTo("orders saw null");
        Files.writeString(file, meshFile);
        assertThat(gateway.reload().applied()).isTrue();
        assertThat(get("/orders/mesh-again").body()).endsWith(";URI=" + GATEWAY_ID);

        // the join token is a secret
        String shown = admin("/config");
        assertThat(JSON.readTree(shown).path("mesh").path("controlPlane").path("joinToken").isTextual())
                .as("a token file is read at the join and never kept in the config").isFalse();
        assertThat(shown).doesNotContain(token).doesNotContain(token.substring(4, 20));

        // the workload leaves the registry: it leaves the rotation
        orders.close();
        orders = null;
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/orders/4").statusCode() == 503);
        assertNoHealthyUpstream(get("/orders/5"));
    }

    @Test
    void aRefusedJoinTokenIsAnErrorThatNeverShowsIt() throws Exception {
        String token = "sjt_not-a-real-token-0000000000000000000000000";
        Files.writeString(dir.resolve("gateway.token"), token);
        StraitConfig config = ConfigLoader.load(gatewayFile("gateway", ""));
        assertThatThrownBy(() -> MeshGateway.join(config.mesh(), Clock.systemUTC()))
                .isInstanceOf(MeshAgentException.class)
                .hasMessageContaining("the control plane refused the first certificate: UNAUTHENTICATED")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
    }

    @Test
    void theJoinTokenFileIsReadAtTheJoinOnlySoASpentOneMayBeDeleted() throws Exception {
        StraitConfig missing = ConfigLoader.load(gatewayFile("gateway", "")); // no gateway.token yet: the reader does not read it
        assertThatThrownBy(() -> MeshGateway.join(missing.mesh(), Clock.systemUTC())).isInstanceOf(MeshAgentException.class)
                .hasMessage("mesh.controlPlane.joinTokenFile: cannot read " + dir.resolve("gateway.token").toAbsolutePath().normalize()
                        + ": no such file");
        Files.writeString(dir.resolve("gateway.token"), " \n");
        assertThatThrownBy(() -> MeshGateway.join(missing.mesh(), Clock.systemUTC())).isInstanceOf(MeshAgentException.class)
                .hasMessageEndingWith("gateway.token is empty");

        freshToken();
        Path file = startGateway();

        Files.delete(dir.resolve("gateway.token")); // spent: an operator removes it
        Files.writeString(file, Files.readString(file).replace("cluster: orders}", "cluster: orders, timeout: 5s}"));
        ApplyResult reloaded = gateway.reload();
        assertThat(reloaded.applied()).as("%s", reloaded.errors()).isTrue();
    }

    @Test
    void aProcessOutsideTheMeshRefusesAFileWithTheSection() throws Exception {
        Files.writeString(dir.resolve("gateway.token"), "sjt_unused");
        StraitConfig config = ConfigLoader.load(gatewayFile("gateway", ""));
        assertThatThrownBy(() -> ProxyServer.start(config, null, FilterModule.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mesh: this process joins no mesh (a gateway joins it at start, from the mesh section of its file)");
    }
}
