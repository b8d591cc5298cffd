package io.strait.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.strait.mesh.api.v1.ConfigDiscoveryServiceGrpc;
import io.strait.mesh.api.v1.DiscoveryRequest;
import io.strait.mesh.api.v1.DiscoveryResponse;
import io.strait.mesh.api.v1.Node;
import io.strait.mesh.api.v1.Resource;
import io.strait.mesh.api.v1.ServiceEndpoints;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.TestPki;
import io.strait.mesh.transport.MeshCredentials;
import io.strait.mesh.transport.MeshTransport;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The config stream over real sockets and real mTLS: pushes, ACKs, NACKs, stale nonces, a control plane that goes away and comes back. */
class DiscoveryTest {
    private static final SpiffeId CONTROL_PLANE = MeshTransport.controlPlaneId(TestPki.TD);
    private static final SpiffeId ORDERS = new SpiffeId(TestPki.TD, "shop", "orders");
    private static final String TYPE = TypeUrls.SERVICE_ENDPOINTS;
    private static final Node NODE = Node.newBuilder().setInstanceId("orders-1").setNamespace("shop").setService("orders").build();

    private final AtomicReference<List<String>> services = new AtomicReference<>(List.of("users"));
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private CertificateAuthority ca;
    private MeshCredentials serverCredentials;
    private DiscoveryServer discovery;
    private Server server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        ca = TestPki.ca(TestPki.root(Instant.now(), Duration.ofDays(365)), Duration.ofHours(1), Clock.systemUTC());
        serverCredentials = new MeshCredentials(svid(CONTROL_PLANE), ca.bundle());
        startServer(0);
    }

    private void startServer(int onPort) throws Exception {
        discovery = new DiscoveryServer(node -> Map.of(TYPE, VersionedResources.of(services.get().stream()
                .map(s -> Resource.newBuilder().setName("shop/" + s)
                        .setResource(TypeUrls.pack(TypeUrls.SERVICE_ENDPOINTS, ServiceEndpoints.newBuilder().setNamespace("shop").setService(s).build())).build())
                .toList())));
        server = MeshTransport.server(new InetSocketAddress("127.0.0.1", onPort), serverCredentials, Clock.systemUTC())
                .addService(discovery).build().start();
        port = server.getPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel c : channels) c.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        scheduler.shutdownNow();
    }

    private Svid svid(SpiffeId id) throws Exception {
        WorkloadKey key = WorkloadKey.generate();
        return new Svid(ca.sign(key.csrDer(id), id).chain(), key.privateKey());
    }

    private ManagedChannel channel(Svid svid) throws Exception {
        ManagedChannel c = MeshTransport.channel("127.0.0.1", port, new MeshCredentials(svid, ca.bundle()), CONTROL_PLANE, Clock.systemUTC());
        channels.add(c);
        return c;
    }

    /** A client whose handler refuses any service named "bad", recording every response it was handed. */
    private DiscoveryClient client(List<String> applied, List<String> seen) throws Exception {
        Svid mine = svid(ORDERS);
        AtomicReference<ManagedChannel> ch = new AtomicReference<>(channel(mine));
        DiscoveryClient c = new DiscoveryClient(() -> {
            if (ch.get().isShutdown()) throw new IllegalStateException("shut down");
            return ch.get();
        }, NODE, Map.of(TYPE, (version, resources) -> {
            seen.add(version);
            List<String> names = resources.stream().map(Resource::getName).toList();
            if (names.contains("shop/bad")) return Optional.of("service 'bad' is not allowed here");
            applied.add(version + "=" + names);
            return Optional.empty();
        }), scheduler, new Random(1));
        c.start();
        return c;
    }

    private String version() {
        return discovery.status().get("orders-1").get("ServiceEndpoints").sent();
    }

    @Test
    void theControlPlanePushesOnConnectAndOnEveryChangeAndTheSidecarAcknowledges() throws Exception {
        List<String> applied = new CopyOnWriteArrayList<>();
        try (DiscoveryClient c = client(applied, new CopyOnWriteArrayList<>())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> applied.size() == 1);
            assertThat(applied.get(0)).endsWith("=[shop/users]");
            String v1 = version();
            await().atMost(Duration.ofSeconds(5)).until(() -> v1.equals(discovery.status().get("orders-1").get("ServiceEndpoints").acked()));

            services.set(List.of("users", "products"));
            discovery.refresh();
            await().atMost(Duration.ofSeconds(5)).until(() -> applied.size() == 2);
            assertThat(applied.get(1)).endsWith("=[shop/products, shop/users]");
            assertThat(c.state().accepted()).containsEntry(TYPE, version());
            discovery.refresh(); // nothing changed: nothing is sent
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> applied.size() == 2);
        }
    }

    @Test
    void aRefusedVersionIsNackedWithItsReasonTheLastGoodOneStaysAndNothingIsResent() throws Exception {
        List<String> applied = new CopyOnWriteArrayList<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (DiscoveryClient c = client(applied, seen)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> applied.size() == 1);
            String good = version();
            services.set(List.of("users", "bad"));
            discovery.refresh();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                DiscoveryServer.TypeStatus s = discovery.status().get("orders-1").get("ServiceEndpoints");
                assertThat(s.nackReason()).isEqualTo("service 'bad' is not allowed here");
                assertThat(s.acked()).isEqualTo(good);
                assertThat(s.nackedVersion()).isEqualTo(s.sent()).isNotEqualTo(good);
            });
            assertThat(c.state().accepted()).containsEntry(TYPE, good);
            assertThat(c.state().lastNack()).contains("service 'bad' is not allowed here");
            discovery.refresh();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> seen.size() == 2);

            services.set(List.of("users")); // back to content the sidecar runs: a new push is not needed...
            services.set(List.of("users", "orders")); // ...but a new version is sent and accepted
            discovery.refresh();
            await().atMost(Duration.ofSeconds(5)).until(() -> applied.size() == 2);
        }
    }

    @Test
    void aStaleNonceIsIgnored() throws Exception {
        LinkedBlockingQueue<DiscoveryResponse> got = new LinkedBlockingQueue<>();
        StreamObserver<DiscoveryRequest> requests = ConfigDiscoveryServiceGrpc.newStub(channel(svid(ORDERS))).streamConfig(collect(got));
        requests.onNext(DiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(TYPE).build());
        DiscoveryResponse first = got.poll(5, TimeUnit.SECONDS);
        services.set(List.of("payments"));
        discovery.refresh();
        DiscoveryResponse second = got.poll(5, TimeUnit.SECONDS);
        assertThat(second.getNonce()).isNotEqualTo(first.getNonce());
        // an ACK of the first push arrives late: it names a nonce that is no longer the last one
        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(TYPE).setVersionInfo(first.getVersionInfo()).setResponseNonce(first.getNonce()).build());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> discovery.status().get("orders-1").get("ServiceEndpoints").acked() == null);
        requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(TYPE).setVersionInfo(second.getVersionInfo()).setResponseNonce(second.getNonce()).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> second.getVersionInfo().equals(discovery.status().get("orders-1").get("ServiceEndpoints").acked()));
        requests.onCompleted();
    }

    @Test
    void theStreamNeedsAnSvidOfTheNodesNamespace() throws Exception {
        LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        StreamObserver<DiscoveryRequest> anonymous = ConfigDiscoveryServiceGrpc.newStub(channel(null)).streamConfig(failures(errors));
        anonymous.onNext(DiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(TYPE).build());
        assertThat(Status.fromThrowable(errors.poll(5, TimeUnit.SECONDS)).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

        StreamObserver<DiscoveryRequest> other = ConfigDiscoveryServiceGrpc.newStub(channel(svid(new SpiffeId(TestPki.TD, "billing", "orders"))))
                .streamConfig(failures(errors));
        other.onNext(DiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(TYPE).build());
        Throwable denied = errors.poll(5, TimeUnit.SECONDS);
        assertThat(Status.fromThrowable(denied).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(denied).hasMessageContaining("node namespace 'shop' is not the caller's");
    }

    @Test
    void aSidecarKeepsItsConfigWhileTheControlPlaneIsAwayAndResynchronisesWhenItReturns() throws Exception {
        List<String> applied = new CopyOnWriteArrayList<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (DiscoveryClient c = client(applied, seen)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> applied.size() == 1);
            String v1 = c.state().accepted().get(TYPE);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> !c.state().connected());
            assertThat(c.state().accepted()).containsEntry(TYPE, v1);

            startServer(port); // same content: the sidecar names v1 and is sent nothing
            await().atMost(Duration.ofSeconds(30)).until(() -> discovery.connected() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> v1.equals(discovery.status().get("orders-1").get("ServiceEndpoints").acked()));
            assertThat(seen).hasSize(1);

            services.set(List.of("users", "inventory"));
            discovery.refresh();
            await().atMost(Duration.ofSeconds(5)).until(() -> applied.size() == 2);
            assertThat(c.state().accepted().get(TYPE)).isNotEqualTo(v1);
            assertThat(c.state().connected()).isTrue();
        }
    }

    private static StreamObserver<DiscoveryResponse> collect(LinkedBlockingQueue<DiscoveryResponse> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        };
    }

    private static StreamObserver<DiscoveryResponse> failures(LinkedBlockingQueue<Throwable> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse value) {}

            @Override
            public void onError(Throwable t) {
                into.add(t);
            }

            @Override
            public void onCompleted() {
                into.add(new StatusRuntimeException(Status.OK));
            }
        };
    }
}
