package io.strait.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.strait.mesh.ca.CaDirectory;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.controlplane.ControlPlane;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root rotation on a running mesh: each of the three steps, made on the CA's files as
 * {@code strait control-plane ca ...} makes it, reaches the running control plane (no restart) and, as a pushed
 * trust bundle, every sidecar, while a caller keeps calling: no request fails. Files that do not load are refused
 * and shown in {@code /status}, and the CA keeps signing with what it had.
 */
class CaRotationTest {
    @TempDir
    Path dir;
    private ControlPlane cp;
    private CaDirectory ca;
    private LocalSidecars sidecars;
    private final List<HttpServer> apps = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        ControlPlaneConfig config = new ControlPlaneConfig("cluster.local", dir.resolve("cp"),
                new ControlPlaneConfig.CaConfig(null, null, null, null, dir.resolve("cp/ca")), new ControlPlaneConfig.SvidConfig(Duration.ofHours(1)));
        cp = ControlPlane.start(config, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), List.of());
        ca = new CaDirectory(dir.resolve("cp/ca"), "cluster.local", Clock.systemUTC());
        sidecars = new LocalSidecars(dir, () -> cp);
    }

    @AfterEach
    void stop() {
        if (sidecars != null) sidecars.close();
        apps.forEach(a -> a.stop(0));
        if (cp != null) cp.close();
    }

    private int app(String name) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", x -> {
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
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

    private static List<X509Certificate> roots(MeshAgent a) {
        return a.engine().state().trustBundle().roots();
    }

    private static X509Certificate issuerRoot(MeshAgent a, List<X509Certificate> candidates) {
        X509Certificate leaf = a.engine().state().svid().leaf();
        return candidates.stream().filter(r -> r.getSubjectX500Principal().equals(leaf.getIssuerX500Principal()) && verifies(leaf, r))
                .findFirst().orElseThrow();
    }

    private static boolean verifies(X509Certificate leaf, X509Certificate root) {
        try {
            leaf.verify(root.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private String status() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cp.adminPort() + "/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theThreeStepsReachEverySidecarWithoutARestartAndNoRequestFails() throws Exception {
        MeshAgent orders = sidecar("orders");
        MeshAgent users = sidecar("users");
        await().atMost(Duration.ofSeconds(20)).until(() -> call(users, "http://orders.shop/").statusCode() == 200);
        X509Certificate oldRoot = cp.bundle().roots().get(0);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        Thread load = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                try {
                    HttpResponse<String> r = call(users, "http://orders.shop/");
                    if (r.statusCode() == 200) ok.incrementAndGet();
                    else failures.merge(r.statusCode() + " " + r.body(), 1, Integer::sum);
                } catch (Exception e) {
                    failures.merge(e.toString(), 1, Integer::sum);
                }
            }
        });
        try {
            // step 1: the next root is trusted everywhere, nothing signs with it yet
            ca.addNextRoot();
            await().atMost(Duration.ofSeconds(15)).until(() -> roots(orders).size() == 2 && roots(users).size() == 2);
            assertThat(cp.bundle().roots()).hasSize(2).contains(oldRoot);
            X509Certificate newRoot = cp.bundle().roots().stream().filter(r -> !r.equals(oldRoot)).findFirst().orElseThrow();

            // step 2: the next root signs; renewed sidecars carry SVIDs of it and still talk to those of the old one
            ca.promoteNextRoot();
            await().atMost(Duration.ofSeconds(15)).until(() -> cp.bundle().roots().get(0).equals(newRoot));
            orders.renewNow();
            assertThat(issuerRoot(orders, List.of(oldRoot, newRoot))).isEqualTo(newRoot);
            assertThat(issuerRoot(users, List.of(oldRoot, newRoot))).isEqualTo(oldRoot);
            int before = ok.get();
            await().atMost(Duration.ofSeconds(15)).until(() -> ok.get() > before + 20);
            MeshAgent billing = sidecar("billing"); // a sidecar joining now gets an SVID of the new root
            assertThat(issuerRoot(billing, List.of(oldRoot, newRoot))).isEqualTo(newRoot);
            await().atMost(Duration.ofSeconds(20)).until(() -> call(billing, "http://users.shop/").statusCode() == 200);

            // step 3 (after the old SVIDs' lifetime; here: renewed first): the old root is trusted nowhere
            users.renewNow();
            ca.dropPreviousRoot();
            await().atMost(Duration.ofSeconds(15)).until(() -> roots(orders).equals(List.of(newRoot)) && roots(users).equals(List.of(newRoot))
                    && roots(billing).equals(List.of(newRoot)));
            int after = ok.get();
            await().atMost(Duration.ofSeconds(15)).until(() -> ok.get() > after + 20);
        } finally {
            running.set(false);
            load.join(15_000);
        }
        assertThat(failures).as("requests failed during the rotation").isEmpty();
        assertThat(status()).contains("\"lastError\" : null");
    }

    @Test
    void caFilesThatDoNotLoadAreRefusedAndTheCaKeepsSigning() throws Exception {
        X509Certificate root = cp.bundle().roots().get(0);
        Files.writeString(dir.resolve("cp/ca").resolve(CaDirectory.NEXT_CERT), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(status()).contains("\"lastError\" : \"ca.dir: cannot read "));
        assertThat(cp.bundle().roots()).containsExactly(root);
        MeshAgent orders = sidecar("orders"); // a join still gets an SVID of the root in use
        assertThat(issuerRoot(orders, List.of(root))).isEqualTo(root);

        Files.delete(dir.resolve("cp/ca").resolve(CaDirectory.NEXT_CERT)); // fixed: the next look applies it and clears the error
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(status()).contains("\"lastError\" : null")
                .containsPattern("\"lastReload\" : \"\\d{4}-"));
        assertThat(cp.bundle().roots()).containsExactly(root);
    }
}
