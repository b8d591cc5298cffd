package io.strait.cli.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.cli.mesh.MeshProcesses.Sidecar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane process killed (SIGKILL) while frontend calls orders steadily, then started again on the same ports
 * and data directory: no call fails (sidecars call each other with the config and certificates they have), and both
 * sidecars' config streams come back to the new process.
 */
class ControlPlaneRestartProcessTest {
    /** Concurrent callers: steady load on a shared 2-core machine, not a benchmark. */
    static final int CLIENTS = 3;
    /** Calls that must succeed in each phase (before, while away, after): enough to span each phase. */
    static final int CALLS_PER_PHASE = 100;
    /** Sidecars reconnect with full-jitter backoff doubling to 30 s: the restarted control plane has them back within this. */
    static final Duration RECONNECT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private MeshProcesses mesh;

    @AfterEach
    void stop() {
        if (mesh != null) mesh.close();
    }

    @Test
    void killedAndRestartedUnderLoadNoCallFailsAndTheSidecarsReconnect() throws Exception {
        mesh = MeshProcesses.start(dir, "1h", MeshProcesses.POLICIES);
        mesh.sidecars("frontend", "orders");
        Sidecar frontend = mesh.sidecar("frontend");
        Sidecar orders = mesh.sidecar("orders");
        await().atMost(RECONNECT).until(() -> frontend.call("POST", "orders", "/orders", "{}").status() == 200);
        await().atMost(RECONNECT).untilAsserted(() -> assertThat(streams()).as("both sidecars' config streams").hasSize(2));

        Load load = Load.start(CLIENTS, () -> frontend.call("POST", "orders", "/orders", "{\"n\":1}"));
        try {
            await().atMost(RECONNECT).until(() -> load.ok() >= CALLS_PER_PHASE || !load.failures().isEmpty());
            mesh.killControlPlane();
            int whileAway = load.ok();
            await().atMost(RECONNECT).until(() -> load.ok() >= whileAway + CALLS_PER_PHASE || !load.failures().isEmpty());

            mesh.restartControlPlane();
            // the sidecars' streams reach the new process (its /status knows only the streams opened to it), each type ACKed
            await().atMost(RECONNECT).untilAsserted(() -> {
                JsonNode streams = mesh.status().get("streams");
                assertThat(instances(streams)).as("%s", streams).hasSize(2)
                        .anySatisfy(i -> assertThat(i).startsWith("frontend-")).anySatisfy(i -> assertThat(i).startsWith("orders-"));
                streams.forEach(types -> types.forEach(t -> assertThat(t.get("acked").asText()).as("%s", streams).isNotEmpty()));
            });
            int back = load.ok();
            await().atMost(RECONNECT).until(() -> load.ok() >= back + CALLS_PER_PHASE || !load.failures().isEmpty());
        } finally {
            load.close();
        }
        assertThat(load.failures()).as("%d calls succeeded; failures:\n%s", load.ok(), mesh.tails()).isEmpty();
        assertThat(orders.app().count()).isGreaterThanOrEqualTo(3 * CALLS_PER_PHASE);
        // the registry came back from the data directory, and heartbeats keep both workloads in it
        await().atMost(RECONNECT).untilAsserted(() -> assertThat(mesh.status().get("workloads")).hasSize(2));
    }

    private Set<String> streams() throws Exception {
        return instances(mesh.status().get("streams"));
    }

    private static Set<String> instances(JsonNode streams) {
        Set<String> ids = new HashSet<>();
        streams.fieldNames().forEachRemaining(ids::add);
        return ids;
    }
}
