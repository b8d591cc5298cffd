package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.Metrics;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code strait_requests_total}'s labels from real requests through the gateway: the exact code, the method and
 * protocol, and who answered ({@code upstream}, or {@code strait} with its reason) for each kind of answer a user
 * sees: the service's 200, and Strait's 404 (no route), 401 (auth), 429 (rate limit), 503 (no healthy upstream)
 * and 504 (timeout); and the 400s of requests the listener refuses before routing.
 */
class GatewayRequestMetricsTest {
    private static final String CONFIG = """
            auth:
              apiKeys: {store: {type: file, path: keys.json}}
            rateLimits:
              policies:
                two: {limit: 2, window: 1m, key: [client]}
            clusters:
              b: {endpoints: [{address: "${b}"}]}
              sick:
                endpoints: [{address: "${b}"}]
                healthCheck: {path: /status/500, interval: 100ms, unhealthyThreshold: 1}
            routes:
              - {name: free, match: {pathPrefix: /free}, cluster: b}
              - {name: keys, match: {pathPrefix: /keys}, cluster: b, auth: apiKey}
              - {name: limited, match: {pathPrefix: /limited}, cluster: b, rateLimit: two}
              - {name: sick, match: {pathPrefix: /sick}, cluster: sick}
              - {name: slow, match: {pathPrefix: /delay}, cluster: b, timeout: 200ms, retries: {attempts: 0}}
            """;

    private GatewayUnderTest gw;

    @BeforeEach
    void start() throws Exception {
        Path dir = Files.createTempDirectory("strait-metrics");
        try (FileApiKeyStore s = FileApiKeyStore.open(dir.resolve("keys.json"))) {
            IssuedKey.issue(s, "acme", null, List.of(), List.of(), null, Instant.now());
        }
        gw = GatewayUnderTest.start(CONFIG, Map.of(), dir);
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    @Test
    void eachAnswerIsCountedWithItsCodeMethodProtocolAndWhoAnsweredWhy() throws Exception {
        for (int i = 0; i < 3; i++) assertThat(gw.get("/free/x").status()).isEqualTo(200);
        assertThat(gw.using(ClientProtocol.HTTP_2).get("/free/x").status()).isEqualTo(200);
        gw.using(ClientProtocol.HTTP_1_1);
        assertThat(gw.raw("PROPFIND /free/x HTTP/1.1\r\nHost: localhost").status()).isEqualTo(200);
        assertThat(gw.get("/nowhere").status()).isEqualTo(404);
        assertThat(gw.get("/keys/x").status()).isEqualTo(401);
        assertThat(gw.get("/keys/x", "X-API-Key", "sk_not_a_key").status()).isEqualTo(401);
        for (int i = 0; i < 2; i++) assertThat(gw.get("/limited/x").status()).isEqualTo(200);
        assertThat(gw.get("/limited/x").status()).isEqualTo(429);
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.get("/sick/x").status() == 503);
        assertThat(gw.get("/delay/2000").status()).isEqualTo(504);
        // refused by the listener before any route is looked at: a bad head, and a request line that does not parse
        assertThat(gw.raw("GET /free/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2").status()).isEqualTo(400);
        assertThat(gw.raw("GET  /free/x HTTP/1.1\r\nHost: localhost").status()).isEqualTo(400);

        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            Metrics m = Metrics.scrape(gw.proxy);
            assertThat(m.value("strait_requests_total", series("free", "b", "200", "GET", "HTTP/1.1", ""))).isEqualTo(3);
            assertThat(m.value("strait_requests_total", series("free", "b", "200", "GET", "HTTP/2", ""))).isEqualTo(1);
            assertThat(m.value("strait_requests_total", series("free", "b", "200", "other", "HTTP/1.1", ""))).isEqualTo(1);
            assertThat(m.value("strait_requests_total", series("", "", "404", "GET", "HTTP/1.1", "no_route"))).isEqualTo(1);
            assertThat(m.value("strait_requests_total", series("keys", "b", "401", "GET", "HTTP/1.1", "auth"))).isEqualTo(2);
            assertThat(m.value("strait_requests_total", series("limited", "b", "200", "GET", "HTTP/1.1", ""))).isEqualTo(2);
            assertThat(m.value("strait_requests_total", series("limited", "b", "429", "GET", "HTTP/1.1", "rate_limited"))).isEqualTo(1);
            assertThat(m.value("strait_requests_total", series("sick", "sick", "503", "GET", "HTTP/1.1", "no_healthy_upstream")))
                    .isGreaterThanOrEqualTo(1);
            assertThat(m.value("strait_requests_total", series("slow", "b", "504", "GET", "HTTP/1.1", "timeout"))).isEqualTo(1);
            // (both refused from their raw bytes, before the method was decoded)
            assertThat(m.value("strait_requests_total", series("", "", "400", "other", "HTTP/1.1", "bad_request"))).isEqualTo(2);
            // the only series: nothing else was counted, and no answer of Strait's was taken for the upstream's
            assertThat(m.sum("strait_requests_total", Map.of("responder", "upstream", "route", "sick"))).isZero();
            assertThat(m.sum("strait_requests_total", Map.of("responder", "strait", "reason", ""))).isZero();
            assertThat(m.sum("strait_response_bytes_total", Map.of("route", "free"))).isPositive();
        });
    }

    @Test
    void metricsAnswerInOpenMetricsWhenAskedAndCarryBuildInfoAndJvmMetrics() throws Exception {
        assertThat(gw.get("/free/x").status()).isEqualTo(200);
        HttpResponse<String> om = gw.proxy.send(HttpRequest.newBuilder(gw.proxy.adminUri("/metrics")).header("Accept",
                "application/openmetrics-text;version=1.0.0;q=0.6,text/plain;version=0.0.4;q=0.3,*/*;q=0.2").build());
        assertThat(om.statusCode()).isEqualTo(200);
        assertThat(om.headers().firstValue("content-type").orElseThrow()).startsWith("application/openmetrics-text; version=1.0.0");
        assertThat(om.body()).endsWith("# EOF\n").contains("# TYPE strait_requests counter", "# TYPE strait_build info");

        HttpResponse<String> text = gw.proxy.admin("GET", "/metrics");
        assertThat(text.headers().firstValue("content-type").orElseThrow()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(text.body()).doesNotContain("# EOF")
                .containsPattern("strait_build_info\\{java_version=\"[^\"]+\",revision=\"([0-9a-f]{40}|unknown)\",version=\"[^\"]+\"} 1")
                .containsPattern("jvm_memory_used_bytes\\{area=\"heap\"} \\d")
                .containsPattern("process_resident_memory_bytes \\d");
    }

    private static Map<String, String> series(String route, String cluster, String code, String method, String protocol,
                                              String reason) {
        return Map.of("route", route, "cluster", cluster, "code_class", code.charAt(0) + "xx", "code", code,
                "method", method, "protocol", protocol, "responder", reason.isEmpty() ? "upstream" : "strait", "reason", reason);
    }
}
