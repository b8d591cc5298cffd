package io.strait.proxy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.observe.RouteMetrics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The minute of history: readings of the real registry, rates and percentiles from their differences. */
class MetricsHistoryTest {
    private static final int GET = io.strait.proxy.observe.RequestLabels.kind(io.netty.handler.codec.http.HttpMethod.GET, false, io.netty.handler.codec.http.HttpVersion.HTTP_1_1);

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void ratesErrorRatesAndPercentilesPerRouteAndPerCluster() {
        ProxyMetrics metrics = new ProxyMetrics();
        RouteMetrics users = metrics.forRoute("users", "users-svc");
        MetricsHistory history = new MetricsHistory(metrics.registry(), clock);
        history.sample();
        for (int i = 0; i < 10; i++) users.record(200, GET, null, 3_000_000, 2_000_000, 0, 0); // 3 ms, 2 ms upstream
        for (int i = 0; i < 2; i++) users.record(503, GET, null, 40_000_000, 2_000_000, 0, 0); // 40 ms
        now.addAndGet(2000);
        history.sample();

        JsonNode json = HistoryView.toJson(history.samples());
        JsonNode route = find(json.get("routes"), "users");
        assertThat(route.get("total").get("requests").asLong()).isEqualTo(12);
        assertThat(route.get("total").get("errors").asLong()).isEqualTo(2);
        JsonNode w = route.get("window");
        assertThat(w.get("requests").asLong()).isEqualTo(12);
        assertThat(w.get("requestsPerSecond").asDouble()).isEqualTo(6.0); // 12 in 2 s
        assertThat(w.get("errorRate").asDouble()).isEqualTo(0.167);
        // 10 in (2.5 ms, 5 ms], 2 in (25 ms, 50 ms]: rank 6 -> 2.5 + 2.5 * 6/10; rank 11.88 -> 25 + 25 * 1.88/2
        assertThat(w.get("p50Ms").asDouble()).isEqualTo(4.0);
        assertThat(w.get("p99Ms").asDouble()).isEqualTo(48.5);
        assertThat(route.get("series").get("rps")).hasSize(1);
        assertThat(route.get("series").get("rps").get(0).asDouble()).isEqualTo(6.0);

        JsonNode cluster = find(json.get("clusters"), "users-svc");
        assertThat(cluster.get("total").get("requests").asLong()).isEqualTo(12);
        assertThat(cluster.get("total").get("errors").asLong()).isEqualTo(2);
        assertThat(cluster.get("window").get("p50Ms").asDouble()).isEqualTo(1.75); // all in (1 ms, 2.5 ms]: rank 6 of 12
    }

    @Test
    void aQuietIntervalHasARateOfZeroAndNoPercentile() {
        ProxyMetrics metrics = new ProxyMetrics();
        metrics.forRoute("idle", "c").record(200, GET, null, 1_000_000, -1, 0, 0);
        MetricsHistory history = new MetricsHistory(metrics.registry(), clock);
        history.sample();
        now.addAndGet(1000);
        history.sample();
        JsonNode w = find(HistoryView.toJson(history.samples()).get("routes"), "idle").get("window");
        assertThat(w.get("requestsPerSecond").asDouble()).isZero();
        assertThat(w.get("errorRate").isNull()).isTrue();
        assertThat(w.get("p99Ms").isNull()).isTrue();
    }

    @Test
    void keepsOneMinuteOfReadings() {
        MetricsHistory history = new MetricsHistory(new ProxyMetrics().registry(), clock);
        for (int i = 0; i < 100; i++) {
            history.sample();
            now.addAndGet(1000);
        }
        assertThat(history.samples()).hasSize(MetricsHistory.SAMPLES);
        assertThat(history.samples().getLast().epochMillis() - history.samples().getFirst().epochMillis()).isEqualTo(60_000);
    }

    @Test
    void sumsEveryOtherLabelOfTheRequestCounter() { // the telemetry's code, method, protocol, responder and reason labels
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter requests = Counter.builder().name("strait_requests_total").labelNames("route", "cluster", "code_class", "code", "reason")
                .register(registry);
        requests.labelValues("api", "svc", "2xx", "200", "").inc(5);
        requests.labelValues("api", "svc", "2xx", "204", "").inc(2);
        requests.labelValues("api", "svc", "5xx", "503", "no_healthy_upstream").inc(3);
        MetricsHistory history = new MetricsHistory(registry, clock);
        history.sample();
        JsonNode total = find(HistoryView.toJson(history.samples()).get("routes"), "api").get("total");
        assertThat(total.get("requests").asLong()).isEqualTo(10);
        assertThat(total.get("errors").asLong()).isEqualTo(3);
    }

    @Test
    void cheapReadingsAreAlwaysTaken() {
        MetricsHistory history = new MetricsHistory(new ProxyMetrics().registry(), clock, Long.MAX_VALUE);
        for (int i = 0; i < 5; i++) {
            history.tick();
            now.addAndGet(1000);
        }
        assertThat(history.samples()).hasSize(5); // nobody looked, and it costs nothing
    }

    @Test
    void costlyReadingsOnlyWhileSomeoneLooks() {
        MetricsHistory history = new MetricsHistory(new ProxyMetrics().registry(), clock, -1); // every reading is "costly"
        for (int i = 0; i < MetricsHistory.COST_READINGS; i++) { // the readings that measure the cost
            history.tick();
            now.addAndGet(1000);
        }
        history.tick();
        assertThat(history.samples()).hasSize(MetricsHistory.COST_READINGS);
        history.viewed();
        for (int i = 0; i < 3; i++) {
            now.addAndGet(1000);
            history.tick();
        }
        assertThat(history.samples()).hasSize(3); // the gap dropped the old reading: the minute starts at the look
        now.addAndGet(MetricsHistory.VIEWED_RECENTLY_MILLIS);
        history.tick();
        assertThat(history.samples()).hasSize(3); // nobody looked for 5 minutes: no more readings
    }

    @Test
    void noReadingYetIsAnEmptyDocument() {
        JsonNode json = HistoryView.toJson(java.util.List.of());
        assertThat(json.get("routes")).isEmpty();
        assertThat(json.get("sampledAtEpochMillis").isNull()).isTrue();
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode n : list) if (n.get("name").asText().equals(name)) return n;
        throw new AssertionError("no " + name + " in " + list);
    }
}
