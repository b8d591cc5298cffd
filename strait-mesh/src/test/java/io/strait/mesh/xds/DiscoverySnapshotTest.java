package io.strait.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.strait.mesh.api.Callers;
import io.strait.mesh.api.v1.ConfigDiscoveryServiceGrpc;
import io.strait.mesh.api.v1.DiscoveryRequest;
import io.strait.mesh.api.v1.DiscoveryResponse;
import io.strait.mesh.api.v1.Node;
import io.strait.mesh.api.v1.Resource;
import io.strait.mesh.api.v1.ServiceEndpoints;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.testing.TestPki;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The snapshot cache ({@link DiscoveryServer#set}) and the client's reconnects, over a real grpc-netty server on
 * 127.0.0.1 (plaintext; a test interceptor stands in for the mTLS one and names the caller). Reconnects go through
 * a scheduler that records the delays it is asked for and runs a task only when the test says so: no sleeps.
 */
class DiscoverySnapshotTest {
    private static final String TYPE = TypeUrls.SERVICE_ENDPOINTS;
    private static final Node ORDERS = Node.newBuilder().setInstanceId("orders-1").setNamespace("shop").setService("orders").build();
    private static final Node USERS = Node.newBuilder().setInstanceId("users-1").setNamespace("shop").setService("users").build();

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private DiscoveryServer discovery;
    private Server server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        discovery = new DiscoveryServer();
        discovery.listener(new DiscoveryServer.Listener() {
            @Override
            public void opened(Node node) {
                events.add("opened " + node.getInstanceId());
            }

            @Override
            public void closed(Node node) {
                events.add("closed " + node.getInstanceId());
            }
        });
        startServer(0);
    }

    private void startServer(int onPort) throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", onPort))
                .addService(ServerInterceptors.intercept(discovery, new ShopCaller())).build().start();
        port = server.getPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel c : channels) c.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        scheduler.shutdownNow();
    }

    @Test
    void aSetIsPushedAtOnceAndTheAckAdvancesTheServersVersion() throws Exception {
        discovery.set("orders-1", TYPE, "v1", resources("users"));
        List<String> applied = new CopyOnWriteArrayList<>();
        try (DiscoveryClient c = client(ORDERS, applied)) {
            await().atMost(Duration.ofSeconds(1)).until(() -> applied.equals(List.of("v1 [shop/users]")));
            await().atMost(Duration.ofSeconds(1)).until(() -> "v1".equals(acked("orders-1")));
            assertThat(events).contains("opened orders-1");

            discovery.set("orders-1", TYPE, "v2", resources("users", "inventory"));
            await().atMost(Duration.ofSeconds(1)).until(() -> applied.size() == 2);
            assertThat(applied.get(1)).isEqualTo("v2 [shop/users, shop/inventory]");
            await().atMost(Duration.ofSeconds(1)).until(() -> "v2".equals(acked("orders-1")));
            assertThat(c.status().accepted()).containsEntry(TYPE, "v2");
            assertThat(c.status().connected()).isTrue();
            assertThat(c.acceptedResources().get(TYPE)).extracting(Resource::getName).containsExactly("shop/users", "shop/inventory");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("closed orders-1"));
    }

    @Test
    void aBadResourceIsNackedTheLastGoodStaysTheServerRecordsItAndDoesNotResend() throws Exception {
        discovery.set("orders-1", TYPE, "v1", resources("users"));
        List<String> applied = new CopyOnWriteArrayList<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        DiscoveryClient.Handler handler = (version, rs) -> {
            seen.add(version);
            if (rs.stream().anyMatch(r -> r.getName().contains("bad"))) return Optional.of("shop/bad: no endpoints");
            applied.add(version);
            return Optional.empty();
        };
        try (DiscoveryClient c = client(ORDERS, Map.of(TYPE, handler))) {
            await().atMost(Duration.ofSeconds(1)).until(() -> applied.equals(List.of("v1")));
            discovery.set("orders-1", TYPE, "v2", resources("users", "bad"));
            await().atMost(Duration.ofSeconds(1)).until(() -> discovery.lastErrors().containsKey("orders-1"));
            assertThat(discovery.lastErrors().get("orders-1")).containsEntry(TYPE, "shop/bad: no endpoints");
            assertThat(discovery.status().get("orders-1").get("ServiceEndpoints").acked()).isEqualTo("v1");
            assertThat(c.status().accepted()).containsEntry(TYPE, "v1");
            assertThat(c.status().lastNack()).contains("shop/bad: no endpoints");
            assertThat(c.acceptedResources().get(TYPE)).extracting(Resource::getName).containsExactly("shop/users");

            discovery.set("orders-1", TYPE, "v2", resources("users", "bad")); // the same version again: not resent
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> seen.equals(List.of("v1", "v2")));

            discovery.set("orders-1", TYPE, "v3", resources("users", "inventory")); // a change is sent, and its ACK clears the error
            await().atMost(Duration.ofSeconds(1)).until(() -> applied.equals(List.of("v1", "v3")));
            await().atMost(Duration.ofSeconds(1)).until(() -> !discovery.lastErrors().containsKey("orders-1"));
        }
    }

    @Test
    void aStaleNonceIsIgnored() throws Exception {
        discovery.set("orders-1", TYPE, "v1", resources("users"));
        LinkedBlockingQueue<DiscoveryResponse> got = new LinkedBlockingQueue<>();
        StreamObserver<DiscoveryRequest> out = ConfigDiscoveryServiceGrpc.newStub(channel()).streamConfig(collect(got));
        out.onNext(DiscoveryRequest.newBuilder().setNode(ORDERS).setTypeUrl(TYPE).build());
        DiscoveryResponse first = got.poll(5, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        discovery.set("orders-1", TYPE, "v2", resources("users", "inventory"));
        DiscoveryResponse second = got.poll(5, TimeUnit.SECONDS);
        assertThat(second.getNonce()).isNotEqualTo(first.getNonce());

        // an ACK and a NACK naming the older nonce: both ignored
        out.onNext(DiscoveryRequest.newBuilder().setTypeUrl(TYPE).setVersionInfo("v1").setResponseNonce(first.getNonce()).build());
        out.onNext(DiscoveryRequest.newBuilder().setTypeUrl(TYPE).setVersionInfo("v1").setResponseNonce(first.getNonce())
                .setErrorDetail(io.strait.mesh.api.v1.ErrorDetail.newBuilder().setMessage("late")).build());
        out.onNext(DiscoveryRequest.newBuilder().setTypeUrl(TYPE).setVersionInfo("v2").setResponseNonce(second.getNonce()).build());
        await().atMost(Duration.ofSeconds(1)).until(() -> "v2".equals(acked("orders-1")));
        assertThat(discovery.lastErrors()).doesNotContainKey("orders-1");
        assertThat(discovery.status().get("orders-1").get("ServiceEndpoints").nackReason()).isNull();
        out.onCompleted();
    }

    @Test
    void twoNodesGetTheirOwnSnapshots() throws Exception {
        discovery.set("orders-1", TYPE, "o1", resources("users"));
        discovery.set("users-1", TYPE, "u1", resources("billing"));
        List<String> orders = new CopyOnWriteArrayList<>();
        List<String> users = new CopyOnWriteArrayList<>();
        try (DiscoveryClient o = client(ORDERS, orders); DiscoveryClient u = client(USERS, users)) {
            await().atMost(Duration.ofSeconds(1)).until(() -> orders.size() == 1 && users.size() == 1);
            assertThat(orders).containsExactly("o1 [shop/users]");
            assertThat(users).containsExactly("u1 [shop/billing]");
            discovery.set("users-1", TYPE, "u2", resources("billing", "ledger"));
            await().atMost(Duration.ofSeconds(1)).until(() -> users.size() == 2);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> orders.size() == 1);
        }
    }

    @Test
    void theClientKeepsItsConfigBacksOffReconnectsAndResyncsWithoutARedundantPush() throws Exception {
        discovery.set("orders-1", TYPE, "v1", resources("users"));
        List<String> applied = new CopyOnWriteArrayList<>();
        ManagedChannel ch = channel();
        try (DiscoveryClient c = new DiscoveryClient(() -> ch, ORDERS, Map.of(TYPE, recording(applied)), scheduler, new Random(7))) {
            c.start();
            await().atMost(Duration.ofSeconds(1)).until(() -> applied.size() == 1);

            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> !c.status().connected() && scheduler.pending() == 1);
            assertThat(c.status().accepted()).containsEntry(TYPE, "v1");
            assertThat(c.acceptedResources().get(TYPE)).extracting(Resource::getName).containsExactly("shop/users");
            // two more failed attempts while the server is down: the delays' caps double (full jitter: 0..cap)
            for (int attempt = 2; attempt <= 3; attempt++) {
                scheduler.runPending();
                int expected = attempt;
                await().atMost(Duration.ofSeconds(5)).until(() -> c.status().attempts() == expected && scheduler.pending() == 1);
            }
            assertThat(scheduler.delays()).hasSize(3);
            assertThat(scheduler.delays().get(0)).isBetween(0L, 500L);
            assertThat(scheduler.delays().get(1)).isBetween(0L, 1000L);
            assertThat(scheduler.delays().get(2)).isBetween(0L, 2000L);

            // back on the same port with the same snapshot: the client names v1 and is sent nothing
            DiscoveryServer restarted = discovery = new DiscoveryServer();
            restarted.set("orders-1", TYPE, "v1", resources("users"));
            startServer(port);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                ch.resetConnectBackoff();
                scheduler.runPending();
                return "v1".equals(acked("orders-1"));
            });
            await().atMost(Duration.ofSeconds(1)).until(() -> c.status().connected());
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> applied.size() == 1);

            restarted.set("orders-1", TYPE, "v2", resources("users", "inventory"));
            await().atMost(Duration.ofSeconds(1)).until(() -> applied.size() == 2);
            assertThat(c.status().accepted()).containsEntry(TYPE, "v2");
            assertThat(c.status().attempts()).isZero(); // a stream that delivered a response resets the backoff
        }
    }

    private String acked(String node) {
        Map<String, DiscoveryServer.TypeStatus> s = discovery.status().get(node);
        return s == null || s.get("ServiceEndpoints") == null ? null : s.get("ServiceEndpoints").acked();
    }

    private DiscoveryClient client(Node node, List<String> applied) {
        return client(node, Map.of(TYPE, recording(applied)));
    }

    private DiscoveryClient client(Node node, Map<String, DiscoveryClient.Handler> handlers) {
        ManagedChannel ch = channel();
        DiscoveryClient c = new DiscoveryClient(() -> ch, node, handlers, scheduler, new Random(1));
        c.start();
        return c;
    }

    private static DiscoveryClient.Handler recording(List<String> applied) {
        return (version, rs) -> {
            applied.add(version + " " + rs.stream().map(Resource::getName).toList());
            return Optional.empty();
        };
    }

    private ManagedChannel channel() {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        channels.add(ch);
        return ch;
    }

    private static List<Resource> resources(String... services) {
        List<Resource> out = new ArrayList<>();
        for (String s : services) {
            out.add(Resource.newBuilder().setName("shop/" + s)
                    .setResource(TypeUrls.pack(TypeUrls.SERVICE_ENDPOINTS, ServiceEndpoints.newBuilder().setNamespace("shop").setService(s).build())).build());
        }
        return out;
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

    /** Stands in for the mTLS interceptor: every caller is a workload of namespace shop. */
    private static final class ShopCaller implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            Context ctx = Context.current().withValue(Callers.CALLER, new SpiffeId(TestPki.TD, "shop", "orders"));
            return Contexts.interceptCall(ctx, call, headers, next);
        }
    }

    /** Records each delay asked of {@code schedule} and holds the task until {@link #runPending()}. */
    private static final class ManualScheduler extends ScheduledThreadPoolExecutor {
        private final List<Long> delays = new CopyOnWriteArrayList<>();
        private final LinkedBlockingQueue<Runnable> held = new LinkedBlockingQueue<>();

        ManualScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(unit.toMillis(delay));
            held.add(command);
            return super.schedule(() -> {}, 0, TimeUnit.MILLISECONDS);
        }

        List<Long> delays() {
            return List.copyOf(delays);
        }

        int pending() {
            return held.size();
        }

        void runPending() {
            List<Runnable> now = new ArrayList<>();
            held.drainTo(now);
            for (Runnable r : now) super.schedule(r, 0, TimeUnit.MILLISECONDS); // not execute(): it calls schedule()
        }
    }
}
