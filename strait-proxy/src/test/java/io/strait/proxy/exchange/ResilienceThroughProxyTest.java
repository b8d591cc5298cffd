package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.ProtocolRuns;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Circuit breakers and outlier detection configured in YAML, through the real proxy. */
@ParameterizedClass
@EnumSource(ClientProtocol.class)
class ResilienceThroughProxyTest extends ProtocolRuns {
    @Test
    void theBreakerOpensFailsFastHalfOpensAndCloses() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters:
                       web:
                         endpoints: [{address: ${b}}]
                         circuitBreaker: {failureRate: {thresholdPercent: 50, minimumCalls: 10, window: 10s, openFor: 1s, halfOpenCalls: 2}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web, retries: {attempts: 0}}]
                     """, Map.of("b", b.address()))) {
            for (int i = 0; i < 5; i++) assertThat(client(p).get("/echo").statusCode()).isEqualTo(200);
            b.forceStatus(503);
            for (int i = 0; i < 4; i++) assertThat(client(p).get("/echo").statusCode()).isEqualTo(503);
            assertThat(breaker(p).get("state").asText()).isEqualTo("closed"); // 4 of 9: under minimumCalls
            assertThat(metricsBreakerState(p)).isEqualTo("closed");
            assertThat(client(p).get("/echo").statusCode()).isEqualTo(503); // 5 of 10 failed: 50%
            assertThat(breaker(p).get("state").asText()).isEqualTo("open");
            assertThat(metricsBreakerState(p)).isEqualTo("open");
            int seen = b.requestCount();
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> res = client(p).get("/echo");
                assertThat(res.statusCode()).isEqualTo(503);
                assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("circuit_open");
            }
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
            assertThat(b.requestCount()).isEqualTo(seen); // fails fast: nothing reaches the backend
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(Metrics.scrape(p).sum("strait_requests_total",
                    Map.of("route", "web", "code", "503", "responder", "strait", "reason", "breaker_open"))).isEqualTo(20));
            b.forceStatus(0);
            // creates the timing condition: the breaker's 1 s open interval must pass before it lets a trial
            // through (waiting on a request instead would spend the trials the test counts)
            Thread.sleep(1100);
            assertThat(client(p).get("/echo").statusCode()).isEqualTo(200); // trial 1 of 2
            assertThat(breaker(p).get("state").asText()).isEqualTo("half_open");
            assertThat(metricsBreakerState(p)).isEqualTo("half_open");
            assertThat(client(p).get("/echo").statusCode()).isEqualTo(200); // trial 2: closes
            assertThat(breaker(p).get("state").asText()).isEqualTo("closed");
            for (int i = 0; i < 10; i++) assertThat(client(p).get("/echo").statusCode()).isEqualTo(200);
            String metrics = p.admin("GET", "/metrics").body();
            assertThat(metrics).contains("strait_circuit_breaker_state{cluster=\"web\",state=\"closed\"} 1.0");
            assertThat(metrics).containsPattern("strait_circuit_breaker_transitions_total\\{cluster=\"web\",from=\"closed\",to=\"open\"} 1");
        }
    }

    @Test
    void maxRequestsAnswers503AtOnce() throws Exception {
        onceOnly("concurrent requests through the JDK client's async API (HTTP/1.1)");
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}], circuitBreaker: {maxRequests: 2}}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
                     """, Map.of("b", b.address()))) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(p.client().sendAsync(HttpRequest.newBuilder(p.uri("/delay/500")).build(), HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int overloaded = 0;
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                HttpResponse<String> r = c.join();
                if (r.statusCode() == 200) ok++;
                else if (r.statusCode() == 503 && r.body().contains("upstream_overloaded")) overloaded++;
            }
            assertThat(ok).isEqualTo(2);
            assertThat(overloaded).isEqualTo(4);
            assertThat(b.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void outlierDetectionEjectsNeverMoreThanItsShareAndLetsThemBack() throws Exception {
        try (TestBackend a = new TestBackend("a");
             TestBackend b = new TestBackend("b");
             TestBackend c = new TestBackend("c");
             TestBackend d = new TestBackend("d");
             ProxyFixture p = ProxyFixture.start("""
                     clusters:
                       web:
                         endpoints: [{address: ${a}}, {address: ${b}}, {address: ${c}}, {address: ${d}}]
                         outlierDetection: {consecutive5xxErrors: 2, interval: 100ms, baseEjectionTime: 1s, maxEjectionPercent: 50}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web, retries: {attempts: 0}}]
                     """, Map.of("a", a.address(), "b", b.address(), "c", c.address(), "d", d.address()))) {
            b.forceStatus(500);
            c.forceStatus(500);
            d.forceStatus(500);
            for (int i = 0; i < 40; i++) client(p).get("/echo");
            JsonNode eps = cluster(p).get("endpoints");
            int ejected = 0;
            for (JsonNode e : eps) if (e.get("ejected").asBoolean()) ejected++;
            assertThat(ejected).isEqualTo(2); // three fail, but at most 50% of four leave
            assertThat(endpoint(eps, a.address()).get("ejected").asBoolean()).isFalse();
            int before = a.requestCount() + b.requestCount() + c.requestCount() + d.requestCount();
            for (int i = 0; i < 20; i++) client(p).get("/echo");
            int after = a.requestCount() + b.requestCount() + c.requestCount() + d.requestCount();
            assertThat(after - before).isEqualTo(20);
            b.forceStatus(0);
            c.forceStatus(0);
            d.forceStatus(0);
            // the base ejection time, then the next sweep, returns all of them
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (JsonNode e : cluster(p).get("endpoints")) assertThat(e.get("ejected").asBoolean()).as(e.toString()).isFalse();
            });
            int bBefore = b.requestCount() + c.requestCount() + d.requestCount();
            for (int i = 0; i < 40; i++) assertThat(client(p).get("/echo").statusCode()).isEqualTo(200);
            assertThat(b.requestCount() + c.requestCount() + d.requestCount() - bBefore).isGreaterThanOrEqualTo(20);
            assertThat(p.admin("GET", "/metrics").body()).containsPattern("strait_outlier_ejections_total\\{cluster=\"web\"} [2-9]");
        }
    }

    private static JsonNode cluster(ProxyFixture p) {
        return Json.parse(p.admin("GET", "/clusters").body()).get("clusters").get("web");
    }

    /** The state whose {@code strait_circuit_breaker_state} series is 1 (the one convention of /metrics and /clusters). */
    private static String metricsBreakerState(ProxyFixture p) {
        List<String> current = new ArrayList<>();
        for (Metrics.Sample s : Metrics.scrape(p).samples()) {
            if (s.name().equals("strait_circuit_breaker_state") && s.labels().get("cluster").equals("web") && s.value() == 1) {
                current.add(s.labels().get("state"));
            }
        }
        assertThat(current).hasSize(1);
        return current.get(0);
    }

    private static JsonNode breaker(ProxyFixture p) {
        return cluster(p).get("circuitBreaker");
    }

    private static JsonNode endpoint(JsonNode eps, String id) {
        for (JsonNode e : eps) if (e.get("id").asText().equals(id)) return e;
        throw new AssertionError("no endpoint " + id + " in " + eps);
    }
}
