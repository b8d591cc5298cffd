package io.strait.mesh.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.registry.RegistryChange.Kind;
import io.strait.mesh.store.ControlPlaneStore;
import io.strait.mesh.store.FileStore;
import io.strait.mesh.store.MemoryStore;
import io.strait.mesh.testing.MutableClock;
import io.strait.mesh.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry with a hand-moved clock: expiry within its documented bound, heartbeats, ownership, listeners, the store. */
class RegistryTest {
    static final SpiffeId ORDERS = new SpiffeId(TestPki.TD, "shop", "orders");
    static final SpiffeId PAYMENTS = new SpiffeId(TestPki.TD, "shop", "payments");
    static final Duration EXPIRY = Registry.DEFAULT_EXPIRY;

    final MutableClock clock = new MutableClock(TestPki.NOW);
    final List<RegistryChange> changes = new ArrayList<>();
    Registry registry;

    @TempDir
    Path dir;

    @BeforeEach
    void create() {
        registry = registry(new MemoryStore());
    }

    private Registry registry(ControlPlaneStore store) {
        Registry r = new Registry(store, clock, Registry.DEFAULT_HEARTBEAT_INTERVAL, EXPIRY);
        r.addListener(changes::add);
        return r;
    }

    static Workload orders(String id, String address) {
        return new Workload(id, "orders", "shop", "orders", address, "zone-a", Map.of("app", "orders", "version", "v1"));
    }

    private Registration register(Workload w, SpiffeId caller) throws Exception {
        return registry.register(w, caller).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRegisteredWorkloadIsInTheSnapshotGroupedByNamespaceAndService() throws Exception {
        register(orders("orders-2", "10.0.0.2:15006"), ORDERS);
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        register(new Workload("pay-1", "payments", "shop", "payments", "10.0.0.3:15006", "", Map.of()), PAYMENTS);
        register(new Workload("web-1", "web", "edge", "web", "10.0.1.1:15006", "", Map.of()), new SpiffeId(TestPki.TD, "edge", "web"));

        RegistrySnapshot s = registry.snapshot();
        assertThat(s.namespaces().keySet()).containsExactly("edge", "shop");
        assertThat(s.namespaces().get("shop").keySet()).containsExactly("orders", "payments");
        assertThat(s.service("shop", "orders")).extracting(Registration::instanceId).containsExactly("orders-1", "orders-2");
        Registration r = s.service("shop", "orders").get(0);
        assertThat(r.owner()).isEqualTo(ORDERS);
        assertThat(r.registeredAt()).isEqualTo(TestPki.NOW);
        assertThat(r.workload().labels()).containsExactly(Map.entry("app", "orders"), Map.entry("version", "v1"));
        assertThat(s.size()).isEqualTo(4);
        assertThat(s.revision()).isEqualTo(4);
        assertThat(changes).extracting(RegistryChange::kind).containsOnly(Kind.REGISTERED);
        assertThat(changes).extracting(RegistryChange::revision).containsExactly(1L, 2L, 3L, 4L);
        assertThat(s.service("shop", "nothing")).isEmpty();
    }

    @Test
    void aSilentWorkloadLeavesAtItsExpiryAndNotBefore() throws Exception {
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        clock.advance(EXPIRY.minusMillis(1));
        assertThat(registry.sweep()).isZero();
        assertThat(registry.get("orders-1")).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(registry.sweep()).isEqualTo(1);
        assertThat(registry.snapshot().size()).isZero();
        assertThat(changes).extracting(RegistryChange::kind).containsExactly(Kind.REGISTERED, Kind.EXPIRED);
        assertThat(registry.heartbeat("orders-1", ORDERS)).isFalse();
    }

    @Test
    void heartbeatsKeepAWorkloadPastItsFirstExpiry() throws Exception {
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        for (int i = 0; i < 10; i++) {
            clock.advance(Registry.DEFAULT_HEARTBEAT_INTERVAL);
            assertThat(registry.heartbeat("orders-1", ORDERS)).isTrue();
            assertThat(registry.sweep()).isZero();
        }
        // two heartbeats lost in a row are tolerated; the third is not
        clock.advance(EXPIRY.minusSeconds(1));
        assertThat(registry.sweep()).isZero();
        assertThat(registry.get("orders-1").orElseThrow().lastSeen()).isEqualTo(TestPki.NOW.plusSeconds(50));
        assertThat(registry.get("orders-1").orElseThrow().registeredAt()).isEqualTo(TestPki.NOW);
        clock.advance(Duration.ofSeconds(1));
        assertThat(registry.sweep()).isEqualTo(1);
        assertThat(changes).extracting(RegistryChange::kind).containsExactly(Kind.REGISTERED, Kind.EXPIRED);
    }

    @Test
    void aHeartbeatAfterTheExpiryButBeforeTheSweepIsUnknownAndRemovesIt() throws Exception {
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        clock.advance(EXPIRY);
        assertThat(registry.get("orders-1")).isEmpty();
        assertThat(registry.heartbeat("orders-1", ORDERS)).isFalse();
        assertThat(changes).extracting(RegistryChange::kind).containsExactly(Kind.REGISTERED, Kind.EXPIRED);
        assertThat(registry.sweep()).isZero();
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        assertThat(registry.heartbeat("orders-1", ORDERS)).isTrue();
    }

    @Test
    void theScheduledSweepRemovesAnExpiredWorkloadWithinOneSweepInterval() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (AutoCloseable sweeping = registry.startSweeping(scheduler)) {
            register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
            clock.advance(EXPIRY);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> registry.snapshot().size() == 0);
            assertThat(changes).extracting(RegistryChange::kind).containsExactly(Kind.REGISTERED, Kind.EXPIRED);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aWorkloadOfAnotherNamespaceOrAccountThanTheCallersIsForbidden() {
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> registry.register(orders("orders-1", "10.0.0.1:15006"), PAYMENTS));
        assertThat(e.kind()).isEqualTo(RegistryException.Kind.FORBIDDEN);
        assertThat(e.getMessage()).isEqualTo("the workload's namespace and account shop/orders are not the caller's: its certificate is " + PAYMENTS);
        SpiffeId otherNs = new SpiffeId(TestPki.TD, "staging", "orders");
        assertThat(catchThrowableOfType(RegistryException.class, () -> registry.register(orders("orders-1", "10.0.0.1:15006"), otherNs)).kind())
                .isEqualTo(RegistryException.Kind.FORBIDDEN);
        assertThat(registry.snapshot().size()).isZero();
        assertThat(changes).isEmpty();
    }

    @Test
    void anInstanceIdIsOwnedByTheIdentityThatRegisteredIt() throws Exception {
        register(orders("shared-1", "10.0.0.1:15006"), ORDERS);
        Workload taken = new Workload("shared-1", "payments", "shop", "payments", "10.0.0.9:15006", "", Map.of());
        RegistryException conflict = catchThrowableOfType(RegistryException.class, () -> registry.register(taken, PAYMENTS));
        assertThat(conflict.kind()).isEqualTo(RegistryException.Kind.CONFLICT);
        assertThat(conflict.getMessage()).contains("'shared-1' is registered by another identity");
        assertThatThrownBy(() -> registry.heartbeat("shared-1", PAYMENTS)).isInstanceOf(RegistryException.class)
                .hasMessage("the instance id 'shared-1' is registered by another identity; " + PAYMENTS + " may not heartbeat it");
        assertThat(catchThrowableOfType(RegistryException.class, () -> registry.deregister("shared-1", PAYMENTS)).kind())
                .isEqualTo(RegistryException.Kind.FORBIDDEN);
        assertThat(registry.get("shared-1").orElseThrow().workload().service()).isEqualTo("orders");
        // once the owner's registration expired, the id is free
        clock.advance(EXPIRY);
        assertThat(registry.register(taken, PAYMENTS).get(10, TimeUnit.SECONDS).owner()).isEqualTo(PAYMENTS);
    }

    @Test
    void registeringAgainUpdatesAndARepeatChangesNothing() throws Exception {
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        clock.advance(Duration.ofSeconds(3));
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        assertThat(changes).hasSize(1);
        assertThat(registry.get("orders-1").orElseThrow().lastSeen()).isEqualTo(TestPki.NOW.plusSeconds(3));
        Registration moved = register(orders("orders-1", "10.0.0.7:15006"), ORDERS);
        assertThat(moved.registeredAt()).isEqualTo(TestPki.NOW);
        RegistryChange update = changes.get(1);
        assertThat(update.kind()).isEqualTo(Kind.UPDATED);
        assertThat(update.previous().workload().address()).isEqualTo("10.0.0.1:15006");
        assertThat(update.registration().workload().address()).isEqualTo("10.0.0.7:15006");
        assertThat(update.services()).containsExactly("shop/orders");
    }

    @Test
    void aServiceWhoseLastWorkloadLeftStaysInTheSnapshotWithNone() throws Exception {
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        registry.deregister("orders-1", ORDERS).get(10, TimeUnit.SECONDS);

        assertThat(registry.snapshot().namespaces()).containsKey("shop");
        assertThat(registry.snapshot().namespaces().get("shop")).containsEntry("orders", List.of());
        assertThat(registry.snapshot().size()).isZero();
    }

    @Test
    void deregisteringRemovesAndIsIdempotent() throws Exception {
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        assertThat(registry.deregister("orders-1", ORDERS).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(registry.deregister("orders-1", ORDERS).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(registry.deregister("../../etc", ORDERS).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(registry.heartbeat("orders-1", ORDERS)).isFalse();
        assertThat(changes).extracting(RegistryChange::kind).containsExactly(Kind.REGISTERED, Kind.DEREGISTERED);
    }

    @Test
    void everyListenerHearsEveryChangeEvenWhenOneFails() throws Exception {
        List<RegistryChange> second = new ArrayList<>();
        registry.addListener(c -> {
            throw new IllegalStateException("listener bug");
        });
        AutoCloseable handle = registry.addListener(second::add);
        register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
        assertThat(changes).hasSize(1);
        assertThat(second).hasSize(1);
        handle.close();
        registry.deregister("orders-1", ORDERS).get(10, TimeUnit.SECONDS);
        assertThat(changes).hasSize(2);
        assertThat(second).hasSize(1);
    }

    @Test
    void aBadWorkloadIsRefusedWithEveryProblemByField() {
        Workload bad = new Workload("-x", "Orders", "shop", "orders", "0.0.0.0:15006", "zone a", Map.of("-app", "ok", "tier", "a b"));
        RegistryException e = catchThrowableOfType(RegistryException.class, () -> registry.register(bad, ORDERS));
        assertThat(e.kind()).isEqualTo(RegistryException.Kind.INVALID);
        assertThat(e.getMessage().split("; ")).extracting(m -> m.substring(0, m.indexOf(':'))).containsExactly(
                "workload.instanceId", "workload.service", "workload.address", "workload.zone", "workload.labels[-app]", "workload.labels[tier]");
    }

    @Test
    void registrationsSurviveARestartAndThenNeedAHeartbeatWithinTheExpiry() throws Exception {
        try (FileStore store = FileStore.open(dir.resolve("store"))) {
            registry = registry(store);
            register(orders("orders-1", "10.0.0.1:15006"), ORDERS);
            register(orders("orders-2", "10.0.0.2:15006"), ORDERS);
            registry.deregister("orders-2", ORDERS).get(10, TimeUnit.SECONDS);
        }
        clock.advance(Duration.ofMinutes(5));
        try (FileStore store = FileStore.open(dir.resolve("store"))) {
            changes.clear();
            registry = registry(store);
            assertThat(registry.load().get(10, TimeUnit.SECONDS)).isEqualTo(1);
            Registration r = registry.get("orders-1").orElseThrow();
            assertThat(r.owner()).isEqualTo(ORDERS);
            assertThat(r.registeredAt()).isEqualTo(TestPki.NOW);
            assertThat(r.lastSeen()).isEqualTo(TestPki.NOW.plus(Duration.ofMinutes(5)));
            assertThat(r.workload()).isEqualTo(orders("orders-1", "10.0.0.1:15006"));
            assertThat(changes).extracting(RegistryChange::kind).containsExactly(Kind.REGISTERED);
            clock.advance(EXPIRY);
            assertThat(registry.sweep()).isEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.list("registry/").join().isEmpty());
        }
    }

    @Test
    void timingsOutsideTheirBoundsAreRefused() {
        assertThatThrownBy(() -> new Registry(new MemoryStore(), clock, Duration.ofSeconds(5), Duration.ofSeconds(9)))
                .hasMessage("must be at least 2x registry.heartbeatInterval (10s; was 9s)");
        assertThatThrownBy(() -> new Registry(new MemoryStore(), clock, Duration.ofMillis(500), Duration.ofSeconds(9)))
                .hasMessage("must be between 1s and 5m (was 500ms)");
        assertThat(Registry.defaultExpiry(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(15));
        assertThat(Registry.defaultExpiry(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(90));
    }
}
