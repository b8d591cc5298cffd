package io.strait.mesh.graph;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.registry.Registration;
import io.strait.mesh.registry.RegistrySnapshot;
import io.strait.mesh.registry.Workload;
import io.strait.mesh.telemetry.LatencyBuckets;
import io.strait.mesh.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The graph from a window and a registry, with an injectable clock: how callers are named (a service, a gateway, an
 * identity shared by two services, no identity), how edges merge and age out of the minute, and the percentiles of
 * the merged histograms.
 */
class MeshGraphTest {
    private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final TelemetryWindow window = new TelemetryWindow(clock);

    private static Registration reg(String instance, String ns, String service, String account) {
        return new Registration(new Workload(instance, service, ns, account, "127.0.0.1:1", null, Map.of()),
                new SpiffeId("cluster.local", ns, account), T0, T0);
    }

    /** orders (account orders, 2 workloads), users and billing sharing account "shared". */
    private static RegistrySnapshot registry() {
        return new RegistrySnapshot(1, Map.of("shop", Map.of(
                "orders", List.of(reg("o1", "shop", "orders", "orders"), reg("o2", "shop", "orders", "orders")),
                "users", List.of(reg("u1", "shop", "users", "shared")),
                "billing", List.of(reg("b1", "shop", "billing", "shared")))));
    }

    /** {@code n} calls, {@code slow} of them in the 50-100 ms bucket, the rest in 1-2.5 ms. */
    private static long[] buckets(long n, long slow) {
        long[] b = new long[LatencyBuckets.COUNT];
        b[2] = n - slow;
        b[7] = slow;
        return b;
    }

    private void add(String service, String principal, boolean mtls, long requests, long errors, long slow) {
        window.add(new TelemetryWindow.EdgeKey("shop", service, principal, mtls), requests, errors, buckets(requests, slow));
    }

    private static List<String> edges(ObjectNode graph) {
        List<String> out = new ArrayList<>();
        graph.path("edges").forEach(e -> out.add(e.path("source").asText() + " -> " + e.path("destination").asText() + ": "
                + e.path("requests").asLong() + "/" + e.path("errors").asLong() + " " + e.path("mtls").asBoolean()));
        return out;
    }

    @Test
    void callersAreNamedByWhatTheirIdentityTellsAndEdgesAgeOutOfTheMinute() {
        window.gateway("spiffe://cluster.local/ns/edge/sa/gateway", "gw-1");
        window.gateway("spiffe://cluster.local/ns/edge/sa/gateway", "gw-2");
        add("orders", "spiffe://cluster.local/ns/edge/sa/gateway", true, 100, 2, 2);
        add("users", "spiffe://cluster.local/ns/shop/sa/orders", true, 40, 0, 0);
        add("orders", "spiffe://cluster.local/ns/shop/sa/shared", true, 5, 0, 0); // users and billing run as it
        add("orders", "spiffe://cluster.local/ns/shop/sa/gone", true, 3, 0, 0); // no workload in the registry
        add("users", "", false, 7, 1, 0);
        clock.advance(Duration.ofSeconds(30));
        window.gateway("spiffe://cluster.local/ns/edge/sa/gateway", "gw-1"); // gw-2 stops reporting
        add("orders", "spiffe://cluster.local/ns/edge/sa/gateway", true, 100, 0, 2); // the same edge, a later report

        ObjectNode g = MeshGraph.build(window, registry(), clock.millis());
        assertThat(edges(g)).containsExactly(
                "cluster.local/ns/shop/sa/gone -> shop/orders: 3/0 true",
                "cluster.local/ns/shop/sa/shared -> shop/orders: 5/0 true",
                "edge/gateway -> shop/orders: 200/2 true",
                "shop/orders -> shop/users: 40/0 true",
                "unknown -> shop/users: 7/1 false");
        JsonNode nodes = g.path("nodes");
        assertThat(nodes.findValuesAsText("id")).containsExactly("cluster.local/ns/shop/sa/gone", "cluster.local/ns/shop/sa/shared",
                "edge/gateway", "shop/billing", "shop/orders", "shop/users", "unknown");
        assertThat(nodes.get(1).path("kind").asText()).isEqualTo("unknown");
        assertThat(nodes.get(1).path("principal").asText()).isEqualTo("spiffe://cluster.local/ns/shop/sa/shared");
        assertThat(nodes.get(1).path("services").toString()).isEqualTo("[\"shop/billing\",\"shop/users\"]");
        assertThat(nodes.get(2).path("kind").asText()).isEqualTo("gateway");
        assertThat(nodes.get(2).path("workloads").asInt()).isEqualTo(2);
        assertThat(nodes.get(4).path("workloads").asInt()).isEqualTo(2);

        JsonNode gw = g.path("edges").get(2);
        assertThat(gw.path("successRate").asDouble()).isEqualTo(0.99);
        assertThat(gw.path("requestsPerSecond").asDouble()).isEqualTo(200 / 30.0, org.assertj.core.data.Offset.offset(0.001));
        assertThat(gw.path("p50Ms").asDouble()).isBetween(1.0, 2.5); // 196 of 200 in 1-2.5 ms
        assertThat(gw.path("p99Ms").asDouble()).isBetween(50.0, 100.0); // the four slow ones are the top 2 %
        assertThat(g.path("windowSeconds").asInt()).isEqualTo(60);

        // 35 s later the first reports are a minute old: only the later one of the gateway's edge is left
        clock.advance(Duration.ofSeconds(35));
        ObjectNode later = MeshGraph.build(window, registry(), clock.millis());
        assertThat(edges(later)).containsExactly("edge/gateway -> shop/orders: 100/0 true");
        assertThat(later.path("nodes").get(0).path("workloads").asInt()).as("gw-2 is gone").isEqualTo(1);
        clock.advance(Duration.ofSeconds(30));
        ObjectNode empty = MeshGraph.build(window, registry(), clock.millis());
        assertThat(edges(empty)).isEmpty();
        assertThat(empty.path("nodes").findValuesAsText("id")).as("services stay; the gateway is gone with its reports")
                .containsExactly("shop/billing", "shop/orders", "shop/users");
    }

    @Test
    void aWindowKeepsAtMostItsEdges() {
        for (int i = 0; i < TelemetryWindow.MAX_EDGES + 5; i++) add("orders", "spiffe://cluster.local/ns/shop/sa/a" + i, true, 1, 0, 0);
        assertThat(window.dropped()).isEqualTo(5);
        assertThat(window.edges()).hasSize(TelemetryWindow.MAX_EDGES);
    }

    @Test
    void quantilesInterpolateWithinTheBucketAsPrometheusDoes() {
        long[] b = new long[LatencyBuckets.COUNT];
        b[1] = 10; // 0.5..1 ms
        assertThat(LatencyBuckets.quantileMillis(b, 0.5)).isEqualTo(0.75);
        b[LatencyBuckets.COUNT - 1] = 90; // +Inf: the highest finite bound
        assertThat(LatencyBuckets.quantileMillis(b, 0.99)).isEqualTo(30000.0);
        assertThat(LatencyBuckets.quantileMillis(new long[LatencyBuckets.COUNT], 0.5)).isNull();
        assertThat(LatencyBuckets.index(400_000)).isZero();
        assertThat(LatencyBuckets.index(1_000_000)).isEqualTo(1);
        assertThat(LatencyBuckets.index(Long.MAX_VALUE)).isEqualTo(LatencyBuckets.COUNT - 1);
    }
}
