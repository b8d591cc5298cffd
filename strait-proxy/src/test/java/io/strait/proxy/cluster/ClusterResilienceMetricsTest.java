package io.strait.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.resilience.AttemptResult;
import io.strait.proxy.resilience.Configs;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.testing.Metrics;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The resilience metrics, read from the current clusters at scrape time. */
class ClusterResilienceMetricsTest {
    private final EventLoopGroup group = new DefaultEventLoopGroup(1);

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private static Metrics scrape(ProxyMetrics metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(out);
        return Metrics.parse(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void breakerStateTransitionsOverflowsAndEjections() throws Exception {
        var cb = new CircuitBreakerConfig(0, 0, 1, 0,
                new CircuitBreakerConfig.FailureRate(50, 2, Duration.ofSeconds(10), Duration.ofSeconds(30), 1));
        Map<String, ClusterConfig> configs = new LinkedHashMap<>();
        configs.put("web", Configs.cluster(cb, Configs.outliers(2, 0, 50)));
        configs.put("plain", Configs.cluster("plain", ClusterConfig.LoadBalancerKind.RANDOM, null, null, "10.0.0.9:80"));
        ProxyMetrics metrics = new ProxyMetrics();
        try (ClusterManager clusters = ClusterManager.create(configs, null, group, null)) {
            AtomicReference<ClusterManager> current = new AtomicReference<>(clusters);
            ResilienceMetrics.register(metrics, current::get);

            Metrics before = scrape(metrics);
            assertThat(before.value("strait_circuit_breaker_state", Map.of("cluster", "web", "state", "closed"))).isEqualTo(1);
            assertThat(before.value("strait_circuit_breaker_state", Map.of("cluster", "web", "state", "open"))).isEqualTo(0);
            assertThat(before.value("strait_circuit_breaker_state", Map.of("cluster", "plain", "state", "closed"))).isNaN();
            assertThat(before.value("strait_cluster_overflow_total", Map.of("cluster", "plain", "kind", "budget"))).isEqualTo(0);

            ClusterResilience r = clusters.get("web").resilience();
            Endpoint e = clusters.get("web").endpoints().get(2);
            r.tryRequest();
            r.tryRequest(); // over maxRequests 1
            for (int i = 0; i < 2; i++) {
                r.tryAttempt();
                r.attemptDone(e, AttemptResult.SERVER_ERROR);
            }
            r.tryAttempt();

            Metrics after = scrape(metrics);
            assertThat(after.value("strait_circuit_breaker_state", Map.of("cluster", "web", "state", "open"))).isEqualTo(1);
            assertThat(after.value("strait_circuit_breaker_state", Map.of("cluster", "web", "state", "closed"))).isEqualTo(0);
            assertThat(after.value("strait_circuit_breaker_transitions_total",
                    Map.of("cluster", "web", "from", "closed", "to", "open"))).isEqualTo(1);
            assertThat(after.value("strait_circuit_breaker_transitions_total",
                    Map.of("cluster", "web", "from", "half_open", "to", "closed"))).isEqualTo(0);
            assertThat(after.value("strait_cluster_overflow_total", Map.of("cluster", "web", "kind", "max_requests"))).isEqualTo(1);
            assertThat(after.value("strait_cluster_overflow_total", Map.of("cluster", "web", "kind", "breaker_open"))).isEqualTo(1);
            assertThat(after.value("strait_outlier_ejections_total", Map.of("cluster", "web"))).isEqualTo(1);
            assertThat(after.value("strait_endpoint_ejected", Map.of("cluster", "web", "endpoint", e.id()))).isEqualTo(1);
            assertThat(after.value("strait_endpoint_ejected", Map.of("cluster", "web", "endpoint", "10.0.0.1:80"))).isEqualTo(0);
            assertThat(after.value("strait_outlier_ejections_total", Map.of("cluster", "plain"))).isNaN();
            assertThat(after.text()).contains("# TYPE strait_circuit_breaker_transitions_total counter")
                    .contains("# TYPE strait_endpoint_ejected gauge");
        }
    }
}
