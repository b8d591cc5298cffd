package io.strait.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.controlplane.ControlPlane;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh end to end with a real control plane and two sidecars: the registry's endpoints reach the caller's
 * sidecar over the config stream, the call goes over mTLS to the callee's sidecar, and the callee's app sees
 * the caller's identity in X-Forwarded-Client-Cert.
 */
class MeshEndToEndTest {
    @TempDir
    Path dir;
    private ControlPlane cp;
    private ControlPlaneConfig cpConfig;
    private LocalSidecars sidecars;
    private final List<HttpServer> apps = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        ControlPlaneConfig config = new ControlPlaneConfig("cluster.local", dir.resolve("cp"),
                new ControlPlaneConfig.CaConfig(null, null, null, null, dir.resolve("cp/ca")), new ControlPlaneConfig.SvidConfig(Duration.ofHours(1)),
                null, null, List.of(dir.resolve("policies")), null);
        cpConfig = config;
        cp = ControlPlane.start(config, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), List.of());
        sidecars = new LocalSidecars(dir, () -> cp);
    }

    @AfterEach
    void stop() {
        if (sidecars != null) sidecars.close();
        apps.forEach(a -> a.stop(0));
        if (cp != null) cp.close();
    }

    /** How many /flaky requests still fail with 503 (any app). */
    private final java.util.concurrent.atomic.AtomicInteger failNext = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> served = new java.util.concurrent.ConcurrentHashMap<>();

    /** An app that answers with the X-Forwarded-Client-Cert it was given, counting its requests. */
    private int app(String name) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger count = served.computeIfAbsent(name, n -> new java.util.concurrent.atomic.AtomicInteger());
        s.createContext("/", x -> {
            count.incrementAndGet();
            if (x.getRequestURI().getPath().startsWith("/flaky") && failNext.getAndDecrement() > 0) {
                x.sendResponseHeaders(503, -1);
                x.close();
                return;
            }
            String xfcc = x.getRequestHeaders().getFirst("X-Forwarded-Client-Cert");
            byte[] body = (name + " saw " + xfcc).getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        s.start();
        apps.add(s);
        return s.getAddress().getPort();
    }

    private MeshAgent sidecar(String service) throws Exception {
        return sidecars.start(service, app(service));
    }

    private static HttpResponse<String> call(MeshAgent from, String url) throws Exception {
        return LocalSidecars.call(from, url);
    }

    @Test
    void aCallerReachesAServiceItLearnedFromTheControlPlaneOverMutualTls() throws Exception {
        MeshAgent orders = sidecar("orders");
        MeshAgent users = sidecar("users");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> r = call(users, "http://orders.shop/orders/1");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).startsWith("orders saw By=spiffe://cluster.local/ns/shop/sa/orders;Hash=")
                    .endsWith(";URI=spiffe://cluster.local/ns/shop/sa/users");
        });
        // both sidecars run the control plane's versions (each ACKed), and the callee's own service is known to the caller
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(users.config().connected()).isTrue();
            assertThat(users.config().accepted()).containsKeys(io.strait.mesh.xds.TypeUrls.SERVICE_ENDPOINTS, io.strait.mesh.xds.TypeUrls.TRUST_BUNDLE);
            assertThat(users.config().lastNack()).isNull();
        });
        assertThat(orders.engine().state().services()).extracting(s -> s.name()).contains("orders", "users");
    }

    @Test
    void aServiceWhoseWorkloadsLeftIsNoLongerCalledAndAnswers503NotAMissingRoute() throws Exception {
        MeshAgent orders = sidecar("orders");
        MeshAgent users = sidecar("users");
        await().atMost(Duration.ofSeconds(20)).until(() -> call(users, "http://orders.shop/x").statusCode() == 200);
        sidecars.stop(orders); // deregisters: the control plane pushes orders with no endpoint (it knows the service, which is down)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> r = call(users, "http://orders.shop/x");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("no_healthy_upstream", "orders.shop has no endpoints");
        });
        assertThat(call(users, "http://payments.shop/x").statusCode()).as("a service the mesh never had").isEqualTo(404);
    }

    private static final String POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: orders-readers, namespace: shop}
            spec:
              selector: {matchLabels: {app: orders}}
              action: ALLOW
              rules:
                - from: [{source: {principals: ["cluster.local/ns/shop/sa/users"]}}]
                  to: [{operation: {methods: ["GET"]}}]
            """;

    private static String peerAuthentication(String mode) {
        return """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: shop, namespace: shop}
                spec: {mtls: {mode: %s}}
                """.formatted(mode);
    }

    @Test
    void theControlPlanesPoliciesAreEnforcedAtTheCalleesSidecarAndReloadsArePushed() throws Exception {
        Files.writeString(dir.resolve("policies/orders.yaml"), POLICY + "---\n" + peerAuthentication("STRICT"));
        MeshAgent orders = sidecar("orders");
        MeshAgent users = sidecar("users");
        MeshAgent web = sidecar("web");
        // users may GET orders
        await().atMost(Duration.ofSeconds(20)).until(() -> call(users, "http://orders.shop/orders/1").statusCode() == 200);
        await().atMost(Duration.ofSeconds(20)).until(() -> orders.config().accepted().containsKey(io.strait.mesh.xds.TypeUrls.AUTHORIZATION_POLICIES));
        int reached = served.get("orders").get();
        // ...but not POST, and web may not call at all: 403 from orders' sidecar, the app never sees them
        HttpClient viaUsers = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", users.engine().outboundPort()))).build();
        HttpResponse<String> post = viaUsers.send(HttpRequest.newBuilder(URI.create("http://orders.shop/orders"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(post.body()).contains("rbac_denied", "RBAC: access denied");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> r = call(web, "http://orders.shop/orders/1");
            assertThat(r.statusCode()).isEqualTo(403);
        });
        assertThat(served.get("orders").get()).isEqualTo(reached);

        // STRICT: plaintext to orders' inbound is refused before HTTP
        URI inbound = URI.create("http://127.0.0.1:" + orders.engine().inboundPort() + "/orders/1");
        assertThat(plaintextStatus(inbound)).isEqualTo(-1);
        // a reload to PERMISSIVE is pushed: plaintext now reaches the policy (no principal: denied), still not the app
        Files.writeString(dir.resolve("policies/orders.yaml"), POLICY + "---\n" + peerAuthentication("PERMISSIVE"));
        await().atMost(Duration.ofSeconds(20)).until(() -> plaintextStatus(inbound) == 403);
        assertThat(served.get("orders").get()).isEqualTo(reached);
        assertThat(call(users, "http://orders.shop/orders/2").statusCode()).isEqualTo(200);
    }

    /** A plaintext GET straight to a sidecar's inbound port: its status, or -1 when the connection is refused or cut. */
    private int plaintextStatus(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aServicesTrafficPolicyReachesItsCallersAndTheirRetriesFollowIt() throws Exception {
        MeshAgent orders = sidecar("orders");
        MeshAgent users = sidecar("users");
        await().atMost(Duration.ofSeconds(20)).until(() -> call(users, "http://orders.shop/x").statusCode() == 200);
        failNext.set(1);
        assertThat(call(users, "http://orders.shop/flaky").statusCode()).as("no retry policy yet").isEqualTo(503);

        Files.writeString(dir.resolve("policies/orders-traffic.yaml"), """
                apiVersion: strait.io/v1
                kind: TrafficPolicy
                metadata: {name: orders, namespace: shop}
                spec:
                  service: orders
                  retries: {attempts: 3, retryOn: [5xx]}
                """);
        await().atMost(Duration.ofSeconds(20)).until(() -> users.engine().state().services().stream()
                .anyMatch(s -> s.name().equals("orders") && s.traffic().retries() != null));
        failNext.set(2);
        assertThat(call(users, "http://orders.shop/flaky").statusCode()).as("two 503s retried").isEqualTo(200);
        assertThat(users.config().lastNack()).isNull();
    }

    @Test
    void calledUnderLoadWhileTheControlPlaneStopsAndComesBackNoRequestFails() throws Exception {
        MeshAgent orders = sidecar("orders");
        MeshAgent users = sidecar("users");
        await().atMost(Duration.ofSeconds(20)).until(() -> call(users, "http://orders.shop/x").statusCode() == 200);
        int apiPort = cp.apiPort();
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                try {
                    HttpResponse<String> r = call(users, "http://orders.shop/load");
                    if (r.statusCode() == 200) ok.incrementAndGet();
                    else failures.add(r.statusCode() + " " + r.body());
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= 50);
            cp.close(); // the control plane is gone: sidecars keep serving with what they have
            cp = null;
            await().atMost(Duration.ofSeconds(10)).until(() -> !users.config().connected());
            int whileAway = ok.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= whileAway + 100);
            cp = ControlPlane.start(cpConfig, new InetSocketAddress("127.0.0.1", apiPort), new InetSocketAddress("127.0.0.1", 0),
                    Clock.systemUTC(), List.of());
            // the sidecars reconnect (backoff up to 30 s) and resynchronise; calls go on meanwhile
            await().atMost(Duration.ofSeconds(45)).until(() -> users.config().connected() && orders.config().connected());
            int back = ok.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= back + 50);
        } finally {
            running.set(false);
            load.join();
        }
        assertThat(failures).isEmpty();
        // the registry was kept in the data directory, and heartbeats keep both workloads in it
        await().atMost(Duration.ofSeconds(20)).until(() -> cp.registry().snapshot().size() == 2);
    }
}
