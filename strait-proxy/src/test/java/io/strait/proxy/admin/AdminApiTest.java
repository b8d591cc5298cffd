package io.strait.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin listener of a running proxy: readiness, effective config, clusters, metrics. */
class AdminApiTest {
    static TestBackend backend;

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            clusters:
              web:
                endpoints: [{address: ${b}, zone: z1, labels: {version: v1}}]
                healthCheck: {path: /healthz, interval: 200ms}
                pool: {maxConnections: 16, idleTimeout: 90s}
            routes:
              - {name: counted, match: {pathPrefix: /echo/counted}, cluster: web, timeout: 2s}
              - {name: statuses, match: {pathPrefix: /status}, cluster: web, timeout: 1500ms}
              - {name: web, match: {pathPrefix: /echo}, cluster: web}
            """).withBackend("b");

    @BeforeAll
    static void backends() {
        backend = proxy.backend("b");
    }

    @Test
    void readyWhileServing() {
        HttpResponse<String> res = proxy.admin("GET", "/ready");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("ready\n");
    }

    @Test
    void configReflectsTheFileWithReadableDurations() {
        HttpResponse<String> res = proxy.admin("GET", "/config");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode c = Json.parse(res.body());
        JsonNode routes = c.get("routes");
        assertThat(routes).hasSize(3);
        assertThat(routes.get(0).get("name").asText()).isEqualTo("counted");
        assertThat(routes.get(0).get("cluster").asText()).isEqualTo("web");
        assertThat(routes.get(0).get("timeout").asText()).isEqualTo("2s");
        assertThat(routes.get(1).get("timeout").asText()).isEqualTo("1500ms");
        assertThat(routes.get(2).get("timeout").asText()).isEqualTo("15s"); // the default
        JsonNode web = c.get("clusters").get("web");
        assertThat(web.get("healthCheck").get("interval").asText()).isEqualTo("200ms");
        assertThat(web.get("pool").get("idleTimeout").asText()).isEqualTo("90s");
        assertThat(web.get("pool").get("maxConnections").asInt()).isEqualTo(16);
        assertThat(web.get("endpoints").get(0).get("address").asText()).isEqualTo(backend.address());
        assertThat(c.get("listeners").get(0).get("idleTimeout").asText()).isEqualTo("1m");
        assertThat(c.get("listeners").get(0).get("name").asText()).isEqualTo("public");
    }

    @Test
    void clustersListEndpointsWithHealthAndPool() {
        for (int i = 0; i < 3; i++) assertThat(proxy.get("/echo/warm").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode ep = endpoint();
            assertThat(ep.get("lastCheck").get("passed").asBoolean()).isTrue();
            assertThat(ep.get("pool").get("idle").asInt()).isGreaterThanOrEqualTo(1);
        });
        JsonNode cluster = Json.parse(proxy.admin("GET", "/clusters").body()).get("clusters").get("web");
        assertThat(cluster.get("loadBalancer").asText()).isEqualTo("round-robin");
        JsonNode ep = endpoint();
        assertThat(ep.get("id").asText()).isEqualTo(backend.address());
        assertThat(ep.get("healthy").asBoolean()).isTrue();
        assertThat(ep.get("zone").asText()).isEqualTo("z1");
        assertThat(ep.get("labels").get("version").asText()).isEqualTo("v1");
        assertThat(ep.get("activeRequests").asInt()).isZero();
        assertThat(ep.get("pool").get("active").asInt()).isZero();
        assertThat(ep.get("pool").get("pending").asInt()).isZero();
    }

    @Test
    void metricsCountWhatWasSent() {
        for (int i = 0; i < 7; i++) assertThat(proxy.get("/echo/counted/" + i).statusCode()).isEqualTo(200);
        for (int i = 0; i < 3; i++) assertThat(proxy.get("/status/404").statusCode()).isEqualTo(404);
        for (int i = 0; i < 2; i++) assertThat(proxy.get("/status/502").statusCode()).isEqualTo(502);
        double unrouted = Metrics.scrape(proxy).sum("strait_requests_total",
                Map.of("route", "", "cluster", "", "code_class", "4xx"));
        assertThat(proxy.get("/no-such-route").statusCode()).isEqualTo(404);

        HttpResponse<String> res = proxy.admin("GET", "/metrics");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
        // An exchange is counted when it ends, just after its last byte is flushed: the client can
        // be a moment quicker than the counter.
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            Metrics m = Metrics.scrape(proxy);
            assertThat(m.sum("strait_requests_total", Map.of("route", "counted", "cluster", "web", "code_class", "2xx"))).isEqualTo(7);
            assertThat(m.value("strait_requests_total", Map.of("route", "counted", "cluster", "web", "code_class", "2xx",
                    "code", "200", "method", "GET", "protocol", "HTTP/1.1", "responder", "upstream", "reason", ""))).isEqualTo(7);
            assertThat(m.sum("strait_requests_total", Map.of("route", "statuses", "cluster", "web", "code_class", "4xx"))).isEqualTo(3);
            assertThat(m.sum("strait_requests_total", Map.of("route", "statuses", "cluster", "web", "code", "502",
                    "responder", "upstream"))).isEqualTo(2);
            assertThat(m.sum("strait_requests_total", Map.of("route", "", "cluster", "", "code_class", "4xx"))).isEqualTo(unrouted + 1);
            assertThat(m.sum("strait_requests_total", Map.of("route", "", "code", "404", "responder", "strait",
                    "reason", "no_route"))).isGreaterThanOrEqualTo(1);
            assertThat(m.value("strait_request_duration_seconds_count", Map.of("route", "counted"))).isEqualTo(7);
            assertThat(m.value("strait_endpoint_healthy", Map.of("cluster", "web", "endpoint", backend.address()))).isEqualTo(1);
            assertThat(m.value("strait_downstream_requests_active", Map.of())).isZero();
        });
    }

    @Test
    void unknownPathIs404Json() {
        HttpResponse<String> res = proxy.admin("GET", "/nope");
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void reloadNeedsPost() {
        HttpResponse<String> res = proxy.admin("GET", "/reload");
        assertThat(res.statusCode()).isEqualTo(405);
        assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("method_not_allowed");
    }

    private static JsonNode endpoint() {
        return Json.parse(proxy.admin("GET", "/clusters").body()).get("clusters").get("web").get("endpoints").get(0);
    }
}
