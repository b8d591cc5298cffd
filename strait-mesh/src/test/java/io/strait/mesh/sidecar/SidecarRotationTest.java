package io.strait.mesh.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpRequest;
import io.strait.config.model.PoolConfig;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.peerauth.PeerAuthentication;
import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.testing.LoadLoop;
import io.strait.proxy.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Both sidecars of a call get a new SVID (new key, new certificate) every two seconds while four clients call
 * without pause: not one request fails, and the new certificates are in use (the app sees the caller's new
 * certificates' hashes in X-Forwarded-Client-Cert). Connections retire after a few requests, so handshakes go
 * on throughout, with the material of the moment; open connections finish on theirs.
 */
class SidecarRotationTest {
    static final int ROTATIONS = 4;
    static final long ROTATE_EVERY_MILLIS = 2000;

    @Test
    void rotatingBothSvidsEveryTwoSecondsUnderLoadLosesNoRequest() throws Exception {
        MeshTestbed pki = new MeshTestbed();
        TestBackend ordersApp = new TestBackend("orders-app");
        TestBackend webApp = new TestBackend("web-app");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        PoolConfig retireOften = new PoolConfig(64, 1024, Duration.ofSeconds(60), Duration.ofSeconds(5), 5);
        try (SidecarEngine orders = SidecarEngine.start(MeshTestbed.config("orders", "shop", "orders", ordersApp.port(), null, Map.of()),
                new MeshState(pki.svid("shop", "orders"), pki.bundle, PeerAuthentication.STRICT, List.of(), List.of()));
             SidecarEngine web = SidecarEngine.start(MeshTestbed.config("web", "shop", "web", webApp.port(), null, Map.of("orders", 0)),
                new MeshState(pki.svid("shop", "web"), pki.bundle, PeerAuthentication.STRICT, List.of(),
                        List.of(new MeshState.Service("orders", "shop", MeshTestbed.service("orders", "shop", orders,
                                MeshTestbed.id("shop", "orders")).endpoints(), new MeshState.TrafficSettings(null, null, null, null, null,
                                retireOften)))))) {
            URI uri = URI.create("http://127.0.0.1:" + web.outboundPort("orders") + "/echo/load");
            try (LoadLoop load = LoadLoop.start(4, () -> {
                try {
                    return client.send(java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                            .POST(BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            })) {
                await().atMost(Duration.ofSeconds(20)).until(() -> load.ok() >= 100);
                for (int i = 0; i < ROTATIONS; i++) {
                    Thread.sleep(ROTATE_EVERY_MILLIS); // the rotation period itself, not a wait for a result
                    ApplyResult a = orders.update(orders.state().withSvid(pki.svid("shop", "orders")));
                    ApplyResult b = web.update(web.state().withSvid(pki.svid("shop", "web")));
                    assertThat(a.applied() && b.applied()).as(a.errors() + " " + b.errors()).isTrue();
                    int ok = load.ok();
                    await().atMost(Duration.ofSeconds(20)).until(() -> load.ok() >= ok + 100);
                }
                String lastHash = hashOf(MeshTestbed.sha256Hex(web.state().svid().leaf()));
                await().atMost(Duration.ofSeconds(20)).until(() -> hashes(ordersApp).contains(lastHash));
                load.close();
                assertThat(load.failures()).isEmpty();
                assertThat(hashes(ordersApp)).hasSizeGreaterThanOrEqualTo(ROTATIONS + 1);
            }
        } finally {
            ordersApp.close();
            webApp.close();
        }
    }

    @Test
    void aRootRotationUnderLoadLosesNoRequest() throws Exception {
        MeshTestbed oldPki = new MeshTestbed();
        MeshTestbed newPki = new MeshTestbed();
        io.strait.mesh.identity.TrustBundle both = oldPki.bundle.withRoot(newPki.root.root());
        TestBackend ordersApp = new TestBackend("orders-app");
        TestBackend webApp = new TestBackend("web-app");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        PoolConfig retireOften = new PoolConfig(64, 1024, Duration.ofSeconds(60), Duration.ofSeconds(5), 5);
        try (SidecarEngine orders = SidecarEngine.start(MeshTestbed.config("orders", "shop", "orders", ordersApp.port(), null, Map.of()),
                new MeshState(oldPki.svid("shop", "orders"), oldPki.bundle, PeerAuthentication.STRICT, List.of(), List.of()));
             SidecarEngine web = SidecarEngine.start(MeshTestbed.config("web", "shop", "web", webApp.port(), null, Map.of("orders", 0)),
                new MeshState(oldPki.svid("shop", "web"), oldPki.bundle, PeerAuthentication.STRICT, List.of(),
                        List.of(new MeshState.Service("orders", "shop", MeshTestbed.service("orders", "shop", orders,
                                MeshTestbed.id("shop", "orders")).endpoints(), new MeshState.TrafficSettings(null, null, null, null, null,
                                retireOften)))))) {
            URI uri = URI.create("http://127.0.0.1:" + web.outboundPort("orders") + "/echo/root");
            try (LoadLoop load = LoadLoop.start(4, () -> {
                try {
                    return client.send(java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            })) {
                await().atMost(Duration.ofSeconds(20)).until(() -> load.ok() >= 100);
                // 1. both roots trusted; 2. SVIDs from the new root; 3. the old root dropped
                List<java.util.function.Function<SidecarEngine, MeshState>> steps = List.of(
                        e -> e.state().withTrustBundle(both),
                        e -> e.state().withSvid(svid(newPki, e)),
                        e -> e.state().withTrustBundle(newPki.bundle));
                for (var step : steps) {
                    for (SidecarEngine e : List.of(orders, web)) {
                        ApplyResult r = e.update(step.apply(e));
                        assertThat(r.applied()).as(String.join("; ", r.errors())).isTrue();
                    }
                    int ok = load.ok();
                    await().atMost(Duration.ofSeconds(20)).until(() -> load.ok() >= ok + 100);
                }
                String lastHash = hashOf(MeshTestbed.sha256Hex(web.state().svid().leaf()));
                await().atMost(Duration.ofSeconds(20)).until(() -> hashes(ordersApp).contains(lastHash));
                load.close();
                assertThat(load.failures()).isEmpty();
            }
            assertThat(web.state().trustBundle().roots()).containsExactly(newPki.root.root());
        } finally {
            ordersApp.close();
            webApp.close();
        }
    }

    private static Svid svid(MeshTestbed pki, SidecarEngine e) {
        try {
            return pki.svid(e.config().namespace(), e.config().serviceAccount());
        } catch (Exception x) {
            throw new IllegalStateException(x);
        }
    }

    private static String hashOf(String hex) {
        return "Hash=" + hex;
    }

    /** The distinct Hash elements of X-Forwarded-Client-Cert the app saw. */
    private static Set<String> hashes(TestBackend app) {
        Set<String> out = new HashSet<>();
        for (HttpRequest r : app.received()) {
            String x = r.headers().get("x-forwarded-client-cert");
            if (x == null) continue;
            for (String part : x.split(";")) if (part.startsWith("Hash=")) out.add(part);
        }
        return out;
    }
}
