package io.strait.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;


import io.strait.mesh.authz.AuthorizationPolicy;
import io.strait.mesh.authz.AuthzEngine;
import io.strait.mesh.authz.AuthzRequest;
import io.strait.mesh.authz.Peer;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.controlplane.ControlPlane;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.mesh.sidecar.SidecarConfigReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sidecars joining a real control plane over real mTLS: bootstrap, registration, renewal, a control plane that comes late. */
class MeshAgentTest {
    @TempDir
    Path dir;
    private ControlPlane cp;
    private final java.util.List<MeshAgent> agents = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        agents.forEach(MeshAgent::close);
        if (cp != null) cp.close();
    }

    private ControlPlaneConfig config(Duration svidTtl) {
        return new ControlPlaneConfig("cluster.local", dir.resolve("cp"),
                new ControlPlaneConfig.CaConfig(null, null, null, null, dir.resolve("cp/ca")), new ControlPlaneConfig.SvidConfig(svidTtl));
    }

    private ControlPlane startControlPlane(int apiPort) throws Exception {
        return startControlPlane(apiPort, Duration.ofHours(1));
    }

    private ControlPlane startControlPlane(int apiPort, Duration svidTtl) throws Exception {
        return ControlPlane.start(config(svidTtl), new InetSocketAddress("127.0.0.1", apiPort), new InetSocketAddress("127.0.0.1", 0),
                Clock.systemUTC(), List.of());
    }

    /** A sidecar config file for {@code service}, with a fresh token for its account. */
    private SidecarConfig sidecar(String service, int apiPort, String token) throws Exception {
        Files.writeString(dir.resolve("bundle.pem"), cp.bundle().pem());
        Files.writeString(dir.resolve(service + ".token"), token + "\n");
        String yaml = """
                service: %s
                namespace: shop
                serviceAccount: %s
                labels: {version: v1}
                controlPlane: {address: 127.0.0.1:%d, trustBundleFile: bundle.pem, joinTokenFile: %s.token}
                inbound: {port: 0, appPort: 9, address: 127.0.0.1}
                outbound: {port: 0}
                admin: {port: 0}
                """.formatted(service, service, apiPort, service);
        return SidecarConfigReader.parse(yaml, "sidecar.yaml", dir);
    }

    private String token(String account) {
        return cp.tokens().create("shop", account, Duration.ofHours(1), 1).join().token();
    }

    private MeshAgent start(SidecarConfig c) throws Exception {
        MeshAgent a = MeshAgent.start(c, Clock.systemUTC());
        agents.add(a);
        return a;
    }

    @Test
    void sidecarsJoinWithTheirTokensAndRegisterTheirWorkloads() throws Exception {
        cp = startControlPlane(0);
        MeshAgent orders = start(sidecar("orders", cp.apiPort(), token("orders")));
        MeshAgent users = start(sidecar("users", cp.apiPort(), token("users")));

        assertThat(SvidVerifier.identity(orders.certificate())).isEqualTo(new SpiffeId("cluster.local", "shop", "orders"));
        assertThat(SvidVerifier.identity(users.certificate())).isEqualTo(new SpiffeId("cluster.local", "shop", "users"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(cp.registry().snapshot().service("shop", "orders")).singleElement()
                    .satisfies(r -> assertThat(r.workload().address()).isEqualTo("127.0.0.1:" + orders.engine().inboundPort()));
            assertThat(cp.registry().snapshot().service("shop", "users")).hasSize(1);
        });
        orders.close();
        agents.remove(orders);
        assertThat(cp.registry().snapshot().service("shop", "orders")).isEmpty(); // deregistered on close
    }

    @Test
    void aSidecarIsReadyOnlyOnceItsFirstConfigIsInForce() throws Exception {
        cp = startControlPlane(0);
        MeshAgent orders = start(sidecar("orders", cp.apiPort(), token("orders")));

        // start returned: the sidecar is ready, so the pushed types are in force, not on their way
        assertThat(orders.config().accepted()).containsKeys(MeshAgent.FIRST_CONFIG_TYPES.toArray(String[]::new));
        assertThat(orders.engine().state().policies()).extracting(AuthorizationPolicy::name).doesNotContain(MeshAgent.AWAITING_POLICIES);
    }

    @Test
    void untilItsPoliciesArriveASidecarsInboundAllowsNobody() throws Exception {
        cp = startControlPlane(0);
        SidecarConfig c = sidecar("orders", cp.apiPort(), token("orders"));
        AuthzEngine.Workload w = new AuthzEngine(List.of(MeshAgent.awaitingPolicies(c))).forWorkload(c.namespace(), c.labels());
        for (Peer from : List.of(Peer.PLAINTEXT, Peer.of("cluster.local/ns/shop/sa/users"), Peer.of("cluster.local/ns/shop/sa/orders"))) {
            assertThat(w.evaluate(new AuthzRequest(from, "GET", "/", Map.of())).allowed()).as(from.toString()).isFalse();
        }
    }

    @Test
    void aRenewalMakesANewKeyAndCertificateThatKeepAuthenticating() throws Exception {
        cp = startControlPlane(0);
        MeshAgent orders = start(sidecar("orders", cp.apiPort(), token("orders")));
        var before = orders.certificate();
        orders.renewNow();
        var after = orders.certificate();
        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        assertThat(after.getPublicKey()).isNotEqualTo(before.getPublicKey());
        assertThat(orders.engine().state().svid().leaf()).isEqualTo(after);
        // the registry still knows it, through the connection made with the new SVID
        await().atMost(Duration.ofSeconds(15)).until(() -> cp.registry().snapshot().service("shop", "orders").size() == 1);
        orders.renewNow(); // and that SVID authenticates the next renewal
        assertThat(orders.certificate().getSerialNumber()).isNotEqualTo(after.getSerialNumber());
    }

    @Test
    void aTenSecondSvidIsRenewedAtHalfLifeAgainAndAgainNeverInABusyLoop() throws Exception {
        cp = startControlPlane(0, Duration.ofSeconds(10));
        MeshAgent orders = start(sidecar("orders", cp.apiPort(), token("orders")));
        // each SVID the agent holds, with when it was first seen (polled every 50 ms)
        java.util.Map<java.math.BigInteger, Long> seen = new java.util.LinkedHashMap<>();
        long start = System.nanoTime();
        seen.put(orders.certificate().getSerialNumber(), start);
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(50)).until(() -> {
            seen.putIfAbsent(orders.certificate().getSerialNumber(), System.nanoTime());
            return seen.size() >= 3;
        });
        // renewal at 45-55% of the life: each SVID is held about 5 s (a busy loop would hold each for an instant); the bounds
        // leave room for a late poll, and for the first, the engine's start between issuance and `start`
        List<Long> at = List.copyOf(seen.values());
        assertThat(Duration.ofNanos(at.get(2) - at.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
        assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        // the engine serves the SVID the agent holds (it is handed over just after it arrives)
        await().atMost(Duration.ofSeconds(5)).until(() -> orders.engine().state().svid().leaf().equals(orders.certificate()));
    }

    @Test
    void aFailedRenewalIsRetriedWithinTheSvidsRemainingLife() {
        assertThat(MeshAgent.renewRetry(Duration.ofHours(12))).isEqualTo(MeshAgent.RENEW_RETRY);
        assertThat(MeshAgent.renewRetry(Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(1250));
        assertThat(MeshAgent.renewRetry(Duration.ofSeconds(1))).isEqualTo(MeshAgent.MIN_RENEW_RETRY);
        assertThat(MeshAgent.renewRetry(Duration.ofSeconds(-3))).as("expired: still no busy loop").isEqualTo(MeshAgent.MIN_RENEW_RETRY);
    }

    @Test
    void aWrongOrUsedTokenIsRefusedWithoutShowingIt() throws Exception {
        cp = startControlPlane(0);
        String token = token("orders");
        start(sidecar("orders", cp.apiPort(), token));
        assertThatThrownBy(() -> start(sidecar("orders", cp.apiPort(), token)))
                .isInstanceOf(MeshAgentException.class)
                .hasMessageStartingWith("the control plane refused the first certificate: UNAUTHENTICATED")
                .hasMessageNotContaining(token);
    }

    @Test
    void aSidecarStartedBeforeItsControlPlaneJoinsWhenItComes() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        cp = startControlPlane(port);
        SidecarConfig orders = sidecar("orders", port, token("orders")); // the token and the CA stay in the data directory
        cp.close();
        cp = null;
        CompletableFuture<MeshAgent> joining = CompletableFuture.supplyAsync(() -> {
            try {
                return start(orders);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !joining.isDone());
        cp = startControlPlane(port);
        MeshAgent agent = joining.get(40, TimeUnit.SECONDS);
        assertThat(SvidVerifier.identity(agent.certificate()).account()).isEqualTo("orders");
    }

    @Test
    void aSidecarBindingEveryInterfaceAdvertisesItsAddressOnTheRouteToTheControlPlane() throws Exception {
        assertThat(MeshAgent.routeSource(new io.strait.config.model.HostPort("127.0.0.1", 15012))).isEqualTo("127.0.0.1");
        // a control plane elsewhere: this host's address towards it (an address of one of its interfaces), or loopback
        // on a machine with no route there; never the wildcard
        String remote = MeshAgent.routeSource(new io.strait.config.model.HostPort("192.0.2.77", 15012));
        java.net.InetAddress a = java.net.InetAddress.getByName(remote);
        assertThat(a.isAnyLocalAddress()).isFalse();
        assertThat(a.isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(a) != null).as(remote).isTrue();
    }
}
