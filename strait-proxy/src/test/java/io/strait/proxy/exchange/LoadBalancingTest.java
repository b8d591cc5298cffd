package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Round-robin and active health checks, seen from the client side of a real proxy. */
class LoadBalancingTest {
    TestBackend b1;
    TestBackend b2;
    TestBackend b3;

    /** A fresh proxy and backends per test (instance field). */
    @RegisterExtension
    final ProxyExtension proxy = ProxyExtension.of("""
            clusters:
              svc:
                endpoints: [{address: ${b1}}, {address: ${b2}}, {address: ${b3}}]
                healthCheck: {path: /healthz, interval: 200ms, timeout: 500ms, unhealthyThreshold: 2, healthyThreshold: 1}
              plain:
                endpoints: [{address: ${b1}}, {address: ${b2}}, {address: ${b3}}]
            routes:
              - {name: plain, match: {pathPrefix: /plain}, cluster: plain}
              - {name: svc, match: {pathPrefix: /}, cluster: svc}
            """).withBackend("b1").withBackend("b2").withBackend("b3");

    @BeforeEach
    void backends() {
        b1 = proxy.backend("b1");
        b2 = proxy.backend("b2");
        b3 = proxy.backend("b3");
    }

    @Test
    void roundRobinSpreadsEvenly() {
        Map<String, Integer> counts = spread("/plain/x", 300);
        assertThat(counts).containsOnlyKeys("b1", "b2", "b3");
        counts.values().forEach(n -> assertThat(n).as("%s", counts).isBetween(90, 110));
    }

    @Test
    void failingHealthCheckLeavesTheRotationAndPassingRejoins() {
        b2.failHealthChecks(true);
        // Two failed checks 200 ms apart: then b2 gets nothing, while its own requests would still work.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spread("/x", 30)).doesNotContainKey("b2"));
        Map<String, Integer> without = spread("/x", 60);
        assertThat(without).containsOnlyKeys("b1", "b3");
        assertThat(endpointHealth()).containsEntry(b2.address(), false).containsEntry(b1.address(), true);

        b2.failHealthChecks(false);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(spread("/x", 30)).containsKey("b2"));
        assertThat(spread("/x", 60)).containsOnlyKeys("b1", "b2", "b3");
        assertThat(endpointHealth()).containsEntry(b2.address(), true);
    }

    @Test
    void stoppedBackendStopsReceivingTrafficAndRejoinsWhenBack() throws Exception {
        String address = b3.address();
        b3.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.FALSE.equals(endpointHealth().get(address)));
        Map<String, Integer> after = spread("/x", 60); // every request succeeds: spread() asserts 200
        assertThat(after).containsOnlyKeys("b1", "b2");

        b3 = new TestBackend("b3", Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.TRUE.equals(endpointHealth().get(address)));
        assertThat(spread("/x", 30)).containsOnlyKeys("b1", "b2", "b3");
    }

    @Test
    void noHealthyEndpointIs503Json() {
        b1.failHealthChecks(true);
        b2.failHealthChecks(true);
        b3.failHealthChecks(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> endpointHealth().values().stream().noneMatch(h -> h));
        HttpResponse<String> res = proxy.get("/x");
        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = Json.parse(res.body());
        assertThat(body.get("error").asText()).isEqualTo("no_healthy_upstream");
        assertThat(body.get("message").asText()).contains("svc");

        b1.failHealthChecks(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.get("/x").statusCode() == 200);
        assertThat(spread("/x", 10)).containsOnlyKeys("b1");
    }

    // ---------------------------------------------------------------- helpers

    /** Sends n requests; each must be 200; counts which backend answered. */
    private Map<String, Integer> spread(String path, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> res = proxy.get(path);
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            counts.merge(Json.parse(res.body()).get("backend").asText(), 1, Integer::sum);
        }
        return counts;
    }

    /** Endpoint id to health flag of cluster svc, from the admin /clusters output. */
    private Map<String, Boolean> endpointHealth() {
        JsonNode eps = Json.parse(proxy.admin("GET", "/clusters").body()).get("clusters").get("svc").get("endpoints");
        Map<String, Boolean> out = new HashMap<>();
        eps.forEach(e -> out.put(e.get("id").asText(), e.get("healthy").asBoolean()));
        return out;
    }
}
