package io.strait.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.proxy.cluster.ClusterManager;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.endpoint.UpstreamPools;
import io.strait.proxy.resilience.AttemptResult;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.testing.Json;
import io.strait.proxy.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shape of {@code GET /clusters}: circuit breaker and outlier detection per cluster, ejection per endpoint. */
class ClustersViewTest {
    private final EventLoopGroup group = new DefaultEventLoopGroup(1);
    private final UpstreamPools pools = new UpstreamPools(Transport.detect(), 1);

    @AfterEach
    void stop() {
        pools.close();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private static ClusterConfig config(String name, CircuitBreakerConfig cb, OutlierDetectionConfig od) {
        List<EndpointConfig> eps = List.of(new EndpointConfig(HostPort.parse("10.0.0.1:80"), null, Map.of(), 1),
                new EndpointConfig(HostPort.parse("10.0.0.2:80"), null, Map.of(), 1));
        return new ClusterConfig(name, eps, ClusterConfig.LoadBalancerKind.ROUND_ROBIN, null, null,
                ClusterConfig.UpstreamProtocol.HTTP1,
                new io.strait.config.model.PoolConfig(4, 4, Duration.ofSeconds(60), Duration.ofSeconds(1), 0),
                null, null, cb, od);
    }

    @Test
    void showsBreakerStateThresholdsOverflowsAndEjections() {
        var cb = new CircuitBreakerConfig(100, 50, 200, 3,
                new CircuitBreakerConfig.FailureRate(50, 2, Duration.ofSeconds(10), Duration.ofSeconds(30), 1));
        var od = new OutlierDetectionConfig(1, 0, Duration.ofSeconds(10), Duration.ofSeconds(30), 50);
        Map<String, ClusterConfig> configs = new LinkedHashMap<>();
        configs.put("guarded", config("guarded", cb, od));
        configs.put("plain", config("plain", null, null));
        try (ClusterManager clusters = ClusterManager.create(configs, null, group, null)) {
            ClusterResilience r = clusters.get("guarded").resilience();
            Endpoint bad = clusters.get("guarded").endpoints().get(0);
            for (int i = 0; i < 2; i++) {
                r.tryAttempt();
                r.attemptDone(bad, AttemptResult.GATEWAY_ERROR);
            }
            r.tryAttempt(); // refused: the breaker is open
            r.tryRequest();

            JsonNode root = Json.parse(ClustersView.toJson(clusters, pools)).get("clusters");
            JsonNode guarded = root.get("guarded");
            JsonNode breaker = guarded.get("circuitBreaker");
            assertThat(breaker.get("state").asText()).isEqualTo("open");
            assertThat(breaker.get("failureRatePercent").asDouble()).isEqualTo(100.0);
            assertThat(breaker.get("calls").asLong()).isEqualTo(2);
            assertThat(breaker.get("thresholds").get("maxConnections").asInt()).isEqualTo(100);
            assertThat(breaker.get("thresholds").get("maxPendingRequests").asInt()).isEqualTo(50);
            assertThat(breaker.get("thresholds").get("maxRequests").asInt()).isEqualTo(200);
            assertThat(breaker.get("thresholds").get("maxRetries").asInt()).isEqualTo(3);
            assertThat(breaker.get("requestsInFlight").asInt()).isEqualTo(1);
            assertThat(breaker.get("retriesInFlight").asInt()).isZero();
            assertThat(breaker.get("overflows").get("breaker_open").asLong()).isEqualTo(1);
            assertThat(breaker.get("overflows").get("max_requests").asLong()).isZero();
            JsonNode outliers = guarded.get("outlierDetection");
            assertThat(outliers.get("enabled").asBoolean()).isTrue();
            assertThat(outliers.get("ejectionsTotal").asLong()).isEqualTo(1);
            assertThat(outliers.get("ejected").get(0).asText()).isEqualTo("10.0.0.1:80");

            JsonNode ejected = guarded.get("endpoints").get(0);
            assertThat(ejected.get("id").asText()).isEqualTo("10.0.0.1:80");
            assertThat(ejected.get("healthy").asBoolean()).isFalse();
            assertThat(ejected.get("passesHealthChecks").asBoolean()).isTrue();
            assertThat(ejected.get("ejected").asBoolean()).isTrue();
            assertThat(ejected.get("ejections").asInt()).isEqualTo(1);
            assertThat(Instant.parse(ejected.get("ejectedUntil").asText())).isAfter(Instant.now().plusSeconds(20));
            assertThat(ejected.get("pool").get("active").asInt()).isZero();
            JsonNode fine = guarded.get("endpoints").get(1);
            assertThat(fine.get("ejected").asBoolean()).isFalse();
            assertThat(fine.has("ejectedUntil")).isFalse();

            JsonNode plain = root.get("plain");
            assertThat(plain.get("circuitBreaker").get("state").asText()).isEqualTo("disabled");
            assertThat(plain.get("circuitBreaker").has("failureRatePercent")).isFalse();
            assertThat(plain.get("circuitBreaker").get("thresholds").get("maxRequests").asInt()).isZero();
            assertThat(plain.get("outlierDetection").get("enabled").asBoolean()).isFalse();
            assertThat(plain.get("endpoints").get(0).get("ejected").asBoolean()).isFalse();
        }
    }
}
