package io.strait.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.mesh.api.v1.InboundEdge;
import io.strait.mesh.api.v1.ReporterKind;
import io.strait.mesh.api.v1.TelemetryReport;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.controlplane.ControlPlane;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.telemetry.LatencyBuckets;
import io.strait.mesh.transport.MeshCredentials;
import io.strait.mesh.transport.MeshTransport;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.runtime.ProxyServer;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh's telemetry end to end, in one JVM: a real control plane (reports every second), a gateway in the mesh
 * ({@link MeshGateway}, its own SVID), the orders sidecar (its app calls users through the sidecar's outbound) and the
 * users sidecar, all PERMISSIVE (Istio's default with no PeerAuthentication). Known numbers of calls, some failing,
 * show as exactly those edges in {@code GET /mesh/graph}, with mTLS; a plaintext caller shows as {@code unknown} with
 * mTLS false; the sidecars' {@code /metrics} carry Istio's labels with the right principals; and a workload cannot
 * report for another.
 */
class MeshTelemetryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GATEWAY = "spiffe://cluster.local/ns/shop/sa/gateway";
    private static final String ORDERS = "spiffe://cluster.local/ns/shop/sa/orders";
    private static final String USERS = "spiffe://cluster.local/ns/shop/sa/users";
    @TempDir
    Path dir;
    private ControlPlane cp;
    private LocalSidecars sidecars;
    private MeshGateway mesh;
    private ProxyServer gateway;
    private final List<HttpServer> apps = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    /** The orders sidecar's outbound port, once it runs: its app calls users through it. */
    private final AtomicInteger ordersOutbound = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        ControlPlaneConfig config = new ControlPlaneConfig("cluster.local", dir.resolve("cp"),
                new ControlPlaneConfig.CaConfig(null, null, null, null, dir.resolve("cp/ca")), new ControlPlaneConfig.SvidConfig(Duration.ofHours(1)),
                null, null, List.of(dir.resolve("policies")), null, null, new ControlPlaneConfig.TelemetryConfig(Duration.ofSeconds(1)));
        cp = ControlPlane.start(config, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), List.of());
        Files.writeString(dir.resolve("bundle.pem"), cp.bundle().pem());
        sidecars = new LocalSidecars(dir, () -> cp);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) gateway.close();
        if (mesh != null) mesh.close();
        for (AutoCloseable c : closing) c.close();
        if (sidecars != null) sidecars.close();
        apps.forEach(a -> a.stop(0));
        if (cp != null) cp.close();
    }

    /** users: /ok is 200, /fail is 500. */
    private int usersApp() throws Exception {
        return app(x -> x.getRequestURI().getPath().startsWith("/fail") ? 500 : 200);
    }

    /** orders: /ok 200, /fail 503, /users/P calls users' /P through its sidecar and answers users' status. */
    private int ordersApp() throws Exception {
        HttpClient viaSidecar = HttpClient.newBuilder().proxy(new ProxySelector() {
            @Override
            public List<java.net.Proxy> select(URI uri) {
                return List.of(new java.net.Proxy(java.net.Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", ordersOutbound.get())));
            }

            @Override
            public void connectFailed(URI uri, java.net.SocketAddress sa, java.io.IOException ioe) {}
        }).build();
        return app(x -> {
            String path = x.getRequestURI().getPath();
            if (path.startsWith("/users/")) {
                try {
                    return viaSidecar.send(HttpRequest.newBuilder(URI.create("http://users.shop/" + path.substring("/users/".length())))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 599;
                }
            }
            return path.startsWith("/fail") ? 503 : 200;
        });
    }

    private interface Answer {
        int status(com.sun.net.httpserver.HttpExchange x) throws java.io.IOException;
    }

    private int app(Answer answer) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", x -> {
            int status = answer.status(x);
            x.sendResponseHeaders(status, -1);
            x.close();
        });
        s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
        s.start();
        apps.add(s);
        return s.getAddress().getPort();
    }

    private void startGateway() throws Exception {
        String token = cp.tokens().create("shop", "gateway", Duration.ofHours(1), 1).join().token();
        Files.writeString(dir.resolve("gateway.token"), token);
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                admin: {address: "127.0.0.1:0"}
                listeners: [{name: public, address: "127.0.0.1:0"}]
                mesh:
                  controlPlane: {address: "127.0.0.1:%d", trustBundleFile: bundle.pem, joinTokenFile: gateway.token}
                  namespace: shop
                  serviceAccount: gateway
                clusters:
                  orders:
                    mesh: {service: orders}
                routes: [{name: orders, match: {pathPrefix: /}, cluster: orders}]
                """.formatted(cp.apiPort()));
        StraitConfig config = ConfigLoader.load(file);
        mesh = MeshGateway.join(config.mesh(), Clock.systemUTC());
        gateway = ProxyServer.start(config, file, FilterModule.NONE, mesh.certificates(), mesh);
        mesh.attach(gateway);
    }

    private int get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private JsonNode graph() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.adminPort() + "/mesh/graph")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    /** The graph's edges as "source -> destination: requests/errors mtls". */
    private static List<String> edges(JsonNode graph) {
        List<String> out = new ArrayList<>();
        graph.path("edges").forEach(e -> out.add(e.path("source").asText() + " -> " + e.path("destination").asText() + ": "
                + e.path("requests").asLong() + "/" + e.path("errors").asLong() + (e.path("mtls").asBoolean() ? " mtls" : " plaintext")));
        return out;
    }

    @Test
    void theGraphShowsExactlyTheCallsMadeWithTheirErrorsAndSecurity() throws Exception {
        MeshAgent users = sidecars.start("users", usersApp());
        MeshAgent orders = sidecars.start("orders", ordersApp());
        ordersOutbound.set(orders.engine().outboundPort());
        startGateway();
        // ready without a call (every call counts): the gateway has orders' endpoint, orders has users'
        await().atMost(Duration.ofSeconds(20)).until(() -> !gateway.snapshot().config().clusters().get("orders").endpoints().isEmpty()
                && orders.engine().state().services().stream().anyMatch(s -> s.name().equals("users") && !s.endpoints().isEmpty()));

        String base = "http://127.0.0.1:" + gateway.port("public");
        for (int i = 0; i < 6; i++) assertThat(get(base + "/ok")).isEqualTo(200);
        for (int i = 0; i < 2; i++) assertThat(get(base + "/fail")).isEqualTo(503);
        for (int i = 0; i < 3; i++) assertThat(get(base + "/users/ok")).isEqualTo(200);
        assertThat(get(base + "/users/fail")).isEqualTo(500);
        // a caller outside the mesh, in plain text (PERMISSIVE lets it in): it has no principal
        for (int i = 0; i < 2; i++) assertThat(get("http://127.0.0.1:" + users.engine().inboundPort() + "/ok")).isEqualTo(200);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(edges(graph())).containsExactly(
                "shop/gateway -> shop/orders: 12/3 mtls",
                "shop/orders -> shop/users: 4/1 mtls",
                "unknown -> shop/users: 2/0 plaintext"));

        JsonNode g = graph();
        assertThat(g.path("windowSeconds").asInt()).isEqualTo(60);
        assertThat(g.path("generatedAtEpochMillis").asLong()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        Map<String, String> nodes = new LinkedHashMap<>();
        g.path("nodes").forEach(n -> nodes.put(n.path("id").asText(), n.path("kind").asText() + " " + n.path("namespace").asText() + "/"
                + n.path("service").asText() + " x" + n.path("workloads").asInt()));
        assertThat(nodes).containsExactly(
                Map.entry("shop/gateway", "gateway shop/gateway x1"),
                Map.entry("shop/orders", "service shop/orders x1"),
                Map.entry("shop/users", "service shop/users x1"),
                Map.entry("unknown", "unknown unknown/unknown x0"));
        JsonNode toOrders = g.path("edges").get(0);
        assertThat(toOrders.path("successRate").asDouble()).isEqualTo(0.75);
        assertThat(toOrders.path("requestsPerSecond").asDouble()).isPositive();
        assertThat(toOrders.path("p50Ms").asDouble()).isPositive();
        assertThat(toOrders.path("p99Ms").asDouble()).isGreaterThanOrEqualTo(toOrders.path("p50Ms").asDouble());

        // Istio's labels on the sidecars' own metrics: orders as the destination of the gateway's calls...
        String ordersMetrics = admin(orders.engine().adminPort());
        Map<String, String> fromGateway = Map.of("reporter", "destination", "source_workload", "gateway", "source_namespace", "shop",
                "source_principal", GATEWAY, "destination_workload", "orders", "destination_namespace", "shop", "destination_principal", ORDERS,
                "destination_service", "orders.shop.svc.cluster.local", "connection_security_policy", "mutual_tls");
        assertThat(sample(ordersMetrics, "strait_mesh_requests_total", with(fromGateway, "response_code", "200"))).isEqualTo(9);
        assertThat(sample(ordersMetrics, "strait_mesh_requests_total", with(fromGateway, "response_code", "503"))).isEqualTo(2);
        assertThat(sample(ordersMetrics, "strait_mesh_requests_total", with(fromGateway, "response_code", "500"))).isEqualTo(1);
        assertThat(sample(ordersMetrics, "strait_mesh_request_duration_seconds_count", with(fromGateway, "response_code", "200"))).isEqualTo(9);
        // ... and as the source of its calls to users
        Map<String, String> toUsers = Map.of("reporter", "source", "source_workload", "orders", "source_namespace", "shop",
                "source_principal", ORDERS, "destination_workload", "users", "destination_namespace", "shop", "destination_principal", USERS,
                "destination_service", "users.shop.svc.cluster.local", "connection_security_policy", "mutual_tls");
        assertThat(sample(ordersMetrics, "strait_mesh_requests_total", with(toUsers, "response_code", "200"))).isEqualTo(3);
        assertThat(sample(ordersMetrics, "strait_mesh_requests_total", with(toUsers, "response_code", "500"))).isEqualTo(1);
        // users: orders' calls over mTLS, the plaintext caller with no principal
        String usersMetrics = admin(users.engine().adminPort());
        Map<String, String> fromOrders = Map.of("reporter", "destination", "source_workload", "orders", "source_principal", ORDERS,
                "destination_principal", USERS, "connection_security_policy", "mutual_tls");
        assertThat(sample(usersMetrics, "strait_mesh_requests_total", with(fromOrders, "response_code", "200"))).isEqualTo(3);
        Map<String, String> plaintext = Map.of("reporter", "destination", "source_workload", "unknown", "source_namespace", "unknown",
                "source_principal", "unknown", "destination_workload", "users", "connection_security_policy", "none", "response_code", "200");
        assertThat(sample(usersMetrics, "strait_mesh_requests_total", plaintext)).isEqualTo(2);
    }

    @Test
    void aWorkloadCannotReportForAnotherOrWithoutItsSvid() throws Exception {
        MeshAgent users = sidecars.start("users", usersApp());
        // mallory: a real identity of the mesh (a join token of its own account), no workload of users
        String token = cp.tokens().create("shop", "mallory", Duration.ofHours(1), 1).join().token();
        MeshCredentials credentials = new MeshCredentials(null, MeshAgent.bundle("cluster.local", cp.bundle().pem(), "bundle"));
        ControlPlaneClient mallory = new ControlPlaneClient("127.0.0.1", cp.apiPort(), credentials, MeshTransport.controlPlaneId("cluster.local"),
                Clock.systemUTC());
        closing.add(mallory);
        TelemetryReport forged = TelemetryReport.newBuilder().setKind(ReporterKind.SIDECAR).setInstanceId(users.instanceId())
                .addInbound(edge(ORDERS, 1000)).build();

        assertThatThrownBy(() -> mallory.report(forged)).as("no SVID yet")
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

        WorkloadKey key = WorkloadKey.generate();
        MeshAgent.useCertificate(credentials, key, mallory.certificate(key.csrPem(new SpiffeId("cluster.local", "shop", "mallory")), token),
                "cluster.local");
        mallory.reconnect();
        await().atMost(Duration.ofSeconds(20)).until(users::registered);

        assertThatThrownBy(() -> mallory.report(forged)).as("users' instance, reported by mallory")
                .satisfies(e -> {
                    Status s = ((StatusRuntimeException) e).getStatus();
                    assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(s.getDescription()).contains("registered by another identity");
                });
        TelemetryReport unregistered = forged.toBuilder().setInstanceId("mallory-1").build();
        assertThatThrownBy(() -> mallory.report(unregistered))
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
        // refused before anything is added: no edge to users at all
        assertThat(edges(graph())).isEmpty();

        // what it may say is that it is a gateway, of its own identity
        mallory.report(TelemetryReport.newBuilder().setKind(ReporterKind.GATEWAY).setInstanceId("mallory-1").build());
        assertThat(graph().path("nodes").findValuesAsText("id")).contains("shop/mallory", "shop/users");
        assertThatThrownBy(() -> mallory.report(TelemetryReport.newBuilder().setKind(ReporterKind.GATEWAY).setInstanceId("mallory-1")
                .addInbound(edge(ORDERS, 1)).build()))
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    /** An edge of {@code requests} calls from {@code principal}, all in the first latency bucket. */
    private static InboundEdge edge(String principal, long requests) {
        InboundEdge.Builder b = InboundEdge.newBuilder().setSourcePrincipal(principal).setMtls(true).setRequests(requests);
        for (int i = 0; i < LatencyBuckets.COUNT; i++) b.addLatencyBuckets(i == 0 ? requests : 0);
        return b.build();
    }

    private String admin(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Map<String, String> with(Map<String, String> labels, String name, String value) {
        Map<String, String> m = new LinkedHashMap<>(labels);
        m.put(name, value);
        return m;
    }

    /** The value of the one sample of {@code metric} whose labels include all of {@code labels}. */
    private static double sample(String exposition, String metric, Map<String, String> labels) {
        List<Double> found = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(metric + "{")) continue;
            boolean all = labels.entrySet().stream().allMatch(e -> line.contains(e.getKey() + "=\"" + e.getValue() + "\""));
            if (all) found.add(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        }
        assertThat(found).as("%s%s in\n%s", metric, labels, exposition.lines().filter(l -> l.startsWith(metric)).toList()).hasSize(1);
        return found.getFirst();
    }
}
