package io.strait.mesh.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strait.mesh.api.v1.DeregisterRequest;
import io.strait.mesh.api.v1.HeartbeatRequest;
import io.strait.mesh.api.v1.RegisterRequest;
import io.strait.mesh.api.v1.RegisterResponse;
import io.strait.mesh.api.v1.RegistryServiceGrpc;
import io.strait.mesh.api.v1.RegistryServiceGrpc.RegistryServiceBlockingStub;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.store.MemoryStore;
import io.strait.mesh.testing.InProcessGrpc;
import io.strait.mesh.testing.MutableClock;
import io.strait.mesh.testing.TestPki;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry over gRPC (in-process, a test interceptor in place of mTLS): the caller's SVID decides what it may register and touch. */
class RegistryServiceTest {
    static final SpiffeId ORDERS = new SpiffeId(TestPki.TD, "shop", "orders");
    static final SpiffeId PAYMENTS = new SpiffeId(TestPki.TD, "shop", "payments");

    final MutableClock clock = new MutableClock(TestPki.NOW);
    final AtomicInteger changes = new AtomicInteger();
    Registry registry;
    InProcessGrpc grpc;

    @BeforeEach
    void start() throws Exception {
        registry = new Registry(new MemoryStore(), clock, Duration.ofSeconds(5), Duration.ofSeconds(15));
        registry.addListener(c -> changes.incrementAndGet());
        grpc = new InProcessGrpc(new RegistryService(registry));
    }

    @AfterEach
    void stop() throws Exception {
        grpc.close();
    }

    private RegistryServiceBlockingStub as(SpiffeId caller) {
        return InProcessGrpc.as(RegistryServiceGrpc.newBlockingStub(grpc.channel()), caller);
    }

    static io.strait.mesh.api.v1.Workload.Builder orders(String id) {
        return io.strait.mesh.api.v1.Workload.newBuilder().setInstanceId(id).setService("orders").setNamespace("shop")
                .setServiceAccount("orders").setAddress("10.0.0.1:15006").setZone("zone-a").addLabels(io.strait.mesh.api.v1.Label.newBuilder().setKey("app").setValue("orders"));
    }

    private static RegisterRequest register(io.strait.mesh.api.v1.Workload.Builder w) {
        return RegisterRequest.newBuilder().setWorkload(w).build();
    }

    private static Status status(Runnable call) {
        return catchThrowableOfType(StatusRuntimeException.class, call::run).getStatus();
    }

    private static HeartbeatRequest heartbeat(String id) {
        return HeartbeatRequest.newBuilder().setInstanceId(id).build();
    }

    @Test
    void aSidecarRegistersHeartbeatsAndDeregisters() {
        RegisterResponse r = as(ORDERS).register(register(orders("orders-1")));
        assertThat(r.getHeartbeatIntervalSeconds()).isEqualTo(5);
        assertThat(r.getExpirySeconds()).isEqualTo(15);
        Registration reg = registry.snapshot().service("shop", "orders").get(0);
        assertThat(reg.owner()).isEqualTo(ORDERS);
        assertThat(reg.workload().zone()).isEqualTo("zone-a");
        assertThat(reg.workload().labels()).containsEntry("app", "orders");

        clock.advance(Duration.ofSeconds(5));
        assertThat(as(ORDERS).heartbeat(heartbeat("orders-1")).getKnown()).isTrue();
        assertThat(registry.get("orders-1").orElseThrow().lastSeen()).isEqualTo(TestPki.NOW.plusSeconds(5));

        as(ORDERS).deregister(DeregisterRequest.newBuilder().setInstanceId("orders-1").build());
        assertThat(registry.snapshot().size()).isZero();
        assertThat(as(ORDERS).heartbeat(heartbeat("orders-1")).getKnown()).isFalse();
        assertThat(changes).hasValue(2);
    }

    @Test
    void aHeartbeatOfAnUnknownOrExpiredInstanceIsNotKnown() {
        assertThat(as(ORDERS).heartbeat(heartbeat("never-registered")).getKnown()).isFalse();
        as(ORDERS).register(register(orders("orders-1")));
        clock.advance(Duration.ofSeconds(15));
        assertThat(as(ORDERS).heartbeat(heartbeat("orders-1")).getKnown()).isFalse();
        as(ORDERS).register(register(orders("orders-1")));
        assertThat(as(ORDERS).heartbeat(heartbeat("orders-1")).getKnown()).isTrue();
    }

    @Test
    void everyCallNeedsAClientCertificate() {
        Status s = status(() -> as(null).register(register(orders("orders-1"))));
        assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(s.getDescription()).isEqualTo("to register a workload the caller needs a client certificate (its SVID)");
        assertThat(status(() -> as(null).heartbeat(heartbeat("orders-1"))).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status(() -> as(null).deregister(DeregisterRequest.newBuilder().setInstanceId("orders-1").build())).getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aWorkloadOfAnotherIdentityIsPermissionDenied() {
        Status s = status(() -> as(PAYMENTS).register(register(orders("orders-1"))));
        assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(s.getDescription()).isEqualTo("the workload's namespace and account shop/orders are not the caller's: its certificate is " + PAYMENTS);
        assertThat(registry.snapshot().size()).isZero();
    }

    @Test
    void anInstanceIdOfAnotherIdentityCannotBeTakenHeartbeatOrDeregistered() {
        as(ORDERS).register(register(orders("orders-1")));
        var stolen = orders("orders-1").setService("payments").setServiceAccount("payments");
        Status taken = status(() -> as(PAYMENTS).register(register(stolen)));
        assertThat(taken.getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(taken.getDescription()).isEqualTo("the instance id 'orders-1' is registered by another identity; each sidecar needs its own instance id");
        Status hb = status(() -> as(PAYMENTS).heartbeat(heartbeat("orders-1")));
        assertThat(hb.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(hb.getDescription()).isEqualTo("the instance id 'orders-1' is registered by another identity; " + PAYMENTS + " may not heartbeat it");
        Status dereg = status(() -> as(PAYMENTS).deregister(DeregisterRequest.newBuilder().setInstanceId("orders-1").build()));
        assertThat(dereg.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(registry.get("orders-1").orElseThrow().owner()).isEqualTo(ORDERS);
    }

    @Test
    void twoIdentitiesRacingForOneInstanceIdGetItOnceAndTheOtherIsRefused() throws Exception {
        var forOrders = register(orders("contested"));
        var forPayments = register(orders("contested").setService("payments").setServiceAccount("payments"));
        for (int round = 0; round < 20; round++) {
            String id = "contested-" + round;
            var a = java.util.concurrent.CompletableFuture.supplyAsync(() -> outcome(() -> as(ORDERS).register(
                    RegisterRequest.newBuilder(forOrders).setWorkload(forOrders.getWorkload().toBuilder().setInstanceId(id)).build())));
            var b = java.util.concurrent.CompletableFuture.supplyAsync(() -> outcome(() -> as(PAYMENTS).register(
                    RegisterRequest.newBuilder(forPayments).setWorkload(forPayments.getWorkload().toBuilder().setInstanceId(id)).build())));
            assertThat(java.util.List.of(a.get(10, java.util.concurrent.TimeUnit.SECONDS), b.get(10, java.util.concurrent.TimeUnit.SECONDS)))
                    .containsExactlyInAnyOrder(Status.Code.OK, Status.Code.ALREADY_EXISTS);
        }
    }

    private static Status.Code outcome(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void aStoreThatFailsIsUnavailableNotAStackTrace() throws Exception {
        grpc.close();
        MemoryStore memory = new MemoryStore();
        java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean(true);
        io.strait.mesh.store.ControlPlaneStore broken = new io.strait.mesh.store.ControlPlaneStore() {
            @Override
            public java.util.concurrent.CompletableFuture<java.util.Optional<Entry>> get(String key) {
                return memory.get(key);
            }

            @Override
            public java.util.concurrent.CompletableFuture<java.util.List<Entry>> list(String prefix) {
                return memory.list(prefix);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Boolean> compareAndSet(String key, long expectedVersion, byte[] value) {
                if (full.get()) return java.util.concurrent.CompletableFuture.failedFuture(new java.io.UncheckedIOException(new java.io.IOException("disk full")));
                return memory.compareAndSet(key, expectedVersion, value);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Boolean> delete(String key, long expectedVersion) {
                return memory.delete(key, expectedVersion);
            }

            @Override
            public String describe() {
                return "a full disk";
            }
        };
        registry = new Registry(broken, clock, Duration.ofSeconds(5), Duration.ofSeconds(15));
        registry.addListener(c -> changes.incrementAndGet());
        grpc = new InProcessGrpc(new RegistryService(registry));
        Status s = status(() -> as(ORDERS).register(register(orders("orders-1"))));
        assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(s.getDescription()).isEqualTo("the registry could not save the change; retry");
        // memory is the truth while the control plane runs: the workload is known, and the sidecar may retry
        assertThat(as(ORDERS).heartbeat(heartbeat("orders-1")).getKnown()).isTrue();
        full.set(false);
        as(ORDERS).register(register(orders("orders-1")));
        assertThat(memory.get("registry/workloads/orders-1").join()).isPresent();
        assertThat(changes).hasValue(1);
    }

    @Test
    void aBadWorkloadIsInvalidArgumentNamingItsFields() {
        Status s = status(() -> as(ORDERS).register(register(orders("orders-1").setAddress("10.0.0.1:0").addLabels(io.strait.mesh.api.v1.Label.newBuilder().setKey("bad key").setValue("v")))));
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).isEqualTo("workload.address: the port must be a number from 1 to 65535 (was '0'); "
                + "workload.labels[bad key]: the key's name must be 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (was 'bad key')");
        assertThat(status(() -> as(ORDERS).register(RegisterRequest.getDefaultInstance())).getDescription()).isEqualTo("workload: is required");
        assertThat(status(() -> as(ORDERS).register(register(orders("orders-1").setAddress("orders")))).getDescription())
                .isEqualTo("workload.address: must be host:port (was 'orders')");
    }
}
