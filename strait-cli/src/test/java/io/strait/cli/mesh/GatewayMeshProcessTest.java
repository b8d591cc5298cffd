package io.strait.cli.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.mesh.sidecar.AppSupervisor;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strait gateway --config FILE} with the file's {@code mesh} section, as an operator runs it: a control-plane
 * process, the orders service behind a {@code strait sidecar} process (STRICT mutual TLS, a policy that lets only the
 * gateway's principal in), and the gateway process, which joins with its join token file and calls orders as
 * {@code spiffe://cluster.local/ns/default/sa/gateway}. A gateway whose join token is refused exits at start with 70
 * and a one-line reason, never the token nor a stack trace.
 */
class GatewayMeshProcessTest {
    private static final String GATEWAY_ID = "spiffe://cluster.local/ns/default/sa/gateway";
    /** STRICT mutual TLS mesh-wide; orders lets in the gateway only. */
    static final String GATEWAY_ONLY = """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec:
              mtls: {mode: STRICT}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: orders-from-the-gateway, namespace: default}
            spec:
              selector: {matchLabels: {app: orders}}
              action: ALLOW
              rules: [{from: [{source: {principals: ["cluster.local/ns/default/sa/gateway"]}}]}]
            """;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private MeshProcesses mesh;
    private final List<StraitProcess> gateways = new ArrayList<>();

    @AfterEach
    void stop() {
        gateways.forEach(StraitProcess::close);
        if (mesh != null) mesh.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Path gatewayFile(String name, int port, int adminPort, String tokenFile) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, """
                admin: {address: "127.0.0.1:%d"}
                listeners: [{name: public, address: "127.0.0.1:%d"}]
                observability: {accessLog: {path: %s}}
                mesh:
                  controlPlane: {address: "127.0.0.1:%d", trustBundleFile: bundle.pem, joinTokenFile: %s}
                  namespace: default
                  serviceAccount: gateway
                clusters:
                  orders:
                    mesh: {service: orders}
                routes: [{name: orders, match: {pathPrefix: /orders}, cluster: orders}]
                """.formatted(adminPort, port, dir.resolve(name + ".access.log"), mesh.apiPort, tokenFile));
        return f;
    }

    private StraitProcess gateway(String name, Path file) throws IOException {
        StraitProcess p = StraitProcess.start(name, dir.resolve(name + ".log"), StraitProcess.DEFAULT_JVM, List.of("gateway", "--config", file.toString()));
        gateways.add(p);
        return p;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aGatewayFromItsFileCallsAServiceBehindASidecarAsItsOwnSpiffeId() throws Exception {
        mesh = MeshProcesses.start(dir, "1h", GATEWAY_ONLY);
        MeshProcesses.Sidecar orders = mesh.sidecars("orders").getFirst();
        String token = mesh.token("gateway");
        Files.writeString(dir.resolve("gateway.token"), token + "\n");
        int port = freePort();
        int admin = freePort();
        StraitProcess gw = gateway("gateway", gatewayFile("gateway", port, admin, "gateway.token"));
        gw.awaitReady(admin);

        await().atMost(Duration.ofSeconds(30)).until(() -> get(port, "/orders/1").statusCode() == 200);
        HttpResponse<String> r = get(port, "/orders/2");
        assertThat(r.statusCode()).as(r.body() + "\n" + mesh.tails() + gw.tail()).isEqualTo(200);
        assertThat(r.body()).startsWith("orders saw By=" + orders.spiffeId() + ";Hash=").endsWith(";URI=" + GATEWAY_ID);
        assertThat(orders.app().seen().getLast().xfcc()).as("what the app sees").endsWith(";URI=" + GATEWAY_ID);
        assertThat(orders.app().seen().getLast().path()).isEqualTo("/orders/2");

        // the orders sidecar lets no one else in: its own identity is not the gateway's
        MeshClient.Answer denied = MeshClient.call(orders.outboundPort(), "GET", "orders", "/orders/3", null);
        assertThat(denied.status()).as(denied.body()).isEqualTo(403);

        String config = get(admin, "/config").body();
        assertThat(JSON.readTree(config).path("mesh").path("controlPlane").path("joinToken").isTextual())
                .as("a token file is read at the join and never kept in the config").isFalse();
        assertThat(JSON.readTree(config).path("clusters").path("orders").path("mesh").path("service").asText()).isEqualTo("orders");
        assertThat(config).doesNotContain(token);
        assertThat(gw.output()).as("the gateway's output").doesNotContain(token).doesNotContain(token.substring(4, 20));
    }

    @Test
    void aRefusedJoinTokenEndsTheGatewayAtStartWith70AndAReason() throws Exception {
        mesh = MeshProcesses.start(dir, "1h", GATEWAY_ONLY);
        String token = "sjt_not-a-real-token-0000000000000000000000000";
        Files.writeString(dir.resolve("refused.token"), token);
        StraitProcess gw = gateway("refused", gatewayFile("refused", freePort(), freePort(), "refused.token"));
        assertThat(gw.awaitExit()).as(gw.tail()).isEqualTo(AppSupervisor.NOT_READY).isEqualTo(70);
        String out = gw.output();
        assertThat(out).contains(dir.resolve("refused.yaml") + ": cannot join the mesh as " + GATEWAY_ID
                + ": the control plane refused the first certificate: UNAUTHENTICATED");
        assertThat(out).doesNotContain(token).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
