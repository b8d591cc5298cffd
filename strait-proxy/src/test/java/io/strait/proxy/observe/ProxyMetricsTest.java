package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
    /** name{labels} value, per the Prometheus text format 0.0.4 (no timestamps written here). */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

    private final ProxyMetrics metrics = new ProxyMetrics();

    @Test
    void countsRequestsByRouteClusterAndStatusClass() throws IOException {
        RouteMetrics users = metrics.forRoute("users", "users-svc");
        RouteMetrics orders = metrics.forRoute("orders", "orders-svc");
        for (int i = 0; i < 3; i++) users.record(200, 1_000_000, 500_000);
        users.record(204, 1_000_000, 500_000);
        users.record(404, 1_000_000, -1);
        users.record(503, 1_000_000, 900_000);
        users.record(0, 1_000_000, -1);
        orders.record(101, 1_000_000, 500_000);
        metrics.forRoute("users", "users-svc").record(302, 1, 1);

        Map<String, Double> s = scrape();
        assertThat(s.get("strait_requests_total{cluster=users-svc,code_class=2xx,route=users}")).isEqualTo(4.0);
        assertThat(s.get("strait_requests_total{cluster=users-svc,code_class=3xx,route=users}")).isEqualTo(1.0);
        assertThat(s.get("strait_requests_total{cluster=users-svc,code_class=4xx,route=users}")).isEqualTo(1.0);
        assertThat(s.get("strait_requests_total{cluster=users-svc,code_class=5xx,route=users}")).isEqualTo(1.0);
        assertThat(s.get("strait_requests_total{cluster=users-svc,code_class=1xx,route=users}")).isEqualTo(0.0);
        assertThat(s.get("strait_requests_total{cluster=users-svc,code_class=other,route=users}")).isEqualTo(1.0);
        assertThat(s.get("strait_requests_total{cluster=orders-svc,code_class=1xx,route=orders}")).isEqualTo(1.0);
        assertThat(s).doesNotContainKey("strait_requests_total{cluster=orders-svc,code_class=other,route=orders}");
    }

    @Test
    void durationHistogramsUseClassicBuckets() throws IOException {
        RouteMetrics route = metrics.forRoute("r", "c");
        route.record(200, 300_000, -1); // 0.3 ms, no upstream
        route.record(200, 2_000_000, 1_500_000); // 2 ms, upstream 1.5 ms
        route.record(200, 20_000_000_000L, 19_000_000_000L); // 20 s: only +Inf

        Map<String, Double> s = scrape();
        assertThat(s.get("strait_request_duration_seconds_bucket{le=0.0005,route=r}")).isEqualTo(1.0);
        assertThat(s.get("strait_request_duration_seconds_bucket{le=0.001,route=r}")).isEqualTo(1.0);
        assertThat(s.get("strait_request_duration_seconds_bucket{le=0.0025,route=r}")).isEqualTo(2.0);
        assertThat(s.get("strait_request_duration_seconds_bucket{le=10,route=r}")).isEqualTo(2.0);
        assertThat(s.get("strait_request_duration_seconds_bucket{le=+Inf,route=r}")).isEqualTo(3.0);
        assertThat(s.get("strait_request_duration_seconds_count{route=r}")).isEqualTo(3.0);
        assertThat(s.get("strait_request_duration_seconds_sum{route=r}")).isCloseTo(20.0023, within(1e-9));
        long buckets = s.keySet().stream().filter(k -> k.startsWith("strait_request_duration_seconds_bucket{")).count();
        assertThat(buckets).isEqualTo(ProxyMetrics.DURATION_BUCKETS_SECONDS.length + 1);

        assertThat(s.get("strait_upstream_duration_seconds_count{cluster=c}")).isEqualTo(2.0);
        assertThat(s.get("strait_upstream_duration_seconds_bucket{cluster=c,le=0.0025}")).isEqualTo(1.0);
        assertThat(s.get("strait_upstream_duration_seconds_sum{cluster=c}")).isCloseTo(19.0015, within(1e-9));
    }

    @Test
    void scrapeIsWellFormedTextFormat() throws IOException {
        metrics.forRoute("users", "users-svc").record(200, 1_000_000, 1);
        metrics.downstreamConnections("public").inc();
        metrics.configReloaded(true);
        metrics.upstreamConnections().register("c", sink -> sink.sample(1, "c", "e:1", "idle"));
        metrics.upstreamPendingRequests().register("c", sink -> sink.sample(0, "c"));
        metrics.endpointHealthy().register("c", sink -> sink.sample(1, "c", "e:1"));
        String text = scrapeText();

        assertThat(ProxyMetrics.CONTENT_TYPE).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(text).endsWith("\n");
        for (String line : text.split("\n")) {
            assertThat(SAMPLE.matcher(line).matches() || COMMENT.matcher(line).matches())
                    .as("line '%s'", line)
                    .isTrue();
        }
        assertThat(text).contains(
                "# TYPE strait_requests_total counter",
                "# TYPE strait_request_duration_seconds histogram",
                "# TYPE strait_upstream_duration_seconds histogram",
                "# TYPE strait_downstream_connections_active gauge",
                "# TYPE strait_downstream_requests_active gauge",
                "# TYPE strait_config_reloads_total counter",
                "# TYPE strait_access_log_dropped_total counter",
                "# TYPE strait_upstream_connections gauge",
                "# TYPE strait_upstream_pending_requests gauge",
                "# TYPE strait_endpoint_healthy gauge");
    }

    @Test
    void downstreamGaugesReloadsAndAccessLogDrops() throws IOException {
        var conns = metrics.downstreamConnections("public");
        conns.inc();
        conns.inc();
        conns.dec();
        metrics.downstreamRequestsActive().inc();
        metrics.configReloaded(true);
        metrics.configReloaded(false);
        metrics.configReloaded(false);
        Runnable drop = metrics.accessLogDropCounter();
        drop.run();
        drop.run();

        Map<String, Double> s = scrape();
        assertThat(s.get("strait_downstream_connections_active{listener=public}")).isEqualTo(1.0);
        assertThat(s.get("strait_downstream_requests_active")).isEqualTo(1.0);
        assertThat(s.get("strait_config_reloads_total{result=success}")).isEqualTo(1.0);
        assertThat(s.get("strait_config_reloads_total{result=failure}")).isEqualTo(2.0);
        assertThat(s.get("strait_access_log_dropped_total")).isEqualTo(2.0);
    }

    @Test
    void gaugeSourcesAreReplacedOnReRegistration() throws IOException {
        GaugeFamily pending = metrics.upstreamPendingRequests();
        GaugeFamily.Registration oldCluster = pending.register("users", sink -> sink.sample(7, "users"));
        assertThat(scrape().get("strait_upstream_pending_requests{cluster=users}")).isEqualTo(7.0);

        // Reload: the new cluster registers first, then the old one is closed.
        GaugeFamily.Registration newCluster = pending.register("users", sink -> sink.sample(2, "users"));
        oldCluster.close();
        assertThat(scrape().get("strait_upstream_pending_requests{cluster=users}")).isEqualTo(2.0);

        newCluster.close();
        assertThat(scrape()).doesNotContainKey("strait_upstream_pending_requests{cluster=users}");
    }

    @Test
    void gaugeSamplesWithEqualLabelsAreSummedAndBadOnesSkipped() throws IOException {
        GaugeFamily conns = metrics.upstreamConnections();
        conns.register("users#loop0", sink -> {
            sink.sample(3, "users", "10.0.0.1:80", "active");
            sink.sample(1, "users", "10.0.0.1:80", "idle");
        });
        conns.register("users#loop1", sink -> {
            sink.sample(2, "users", "10.0.0.1:80", "active");
            sink.sample(9, "users", "10.0.0.1:80"); // wrong label count
        });
        conns.register("broken", sink -> {
            throw new IllegalStateException("boom");
        });
        metrics.endpointHealthy().register("users", sink -> sink.sample(1, "users", "10.0.0.1:80"));

        Map<String, Double> s = scrape();
        assertThat(s.get("strait_upstream_connections{cluster=users,endpoint=10.0.0.1:80,state=active}")).isEqualTo(5.0);
        assertThat(s.get("strait_upstream_connections{cluster=users,endpoint=10.0.0.1:80,state=idle}")).isEqualTo(1.0);
        assertThat(s.get("strait_endpoint_healthy{cluster=users,endpoint=10.0.0.1:80}")).isEqualTo(1.0);
        assertThat(conns.badSampleCount()).isEqualTo(2);
    }

    @Test
    void customGaugesAreCreatedOnceWithFixedLabels() throws IOException {
        GaugeFamily a = metrics.gauge("strait_breaker_open", "1 when open", "cluster");
        assertThat(metrics.gauge("strait_breaker_open", "1 when open", "cluster")).isSameAs(a);
        assertThatThrownBy(() -> metrics.gauge("strait_breaker_open", "x", "cluster", "endpoint"))
                .isInstanceOf(IllegalArgumentException.class);
        a.register("k", sink -> sink.sample(1, "orders"));
        assertThat(scrape().get("strait_breaker_open{cluster=orders}")).isEqualTo(1.0);
    }

    /** Bucket bounds as plain decimals: the writer may print 0.0005 as 5.0E-4. */
    private static String bound(String le) {
        return le.equals("+Inf") ? le : new BigDecimal(le).stripTrailingZeros().toPlainString();
    }

    private String scrapeText() throws IOException {
        var out = new ByteArrayOutputStream();
        metrics.scrape(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Samples keyed {@code name{label=value,...}} with labels sorted by name and values unquoted. */
    private Map<String, Double> scrape() throws IOException {
        Map<String, Double> samples = new HashMap<>();
        for (String line : scrapeText().split("\n")) {
            if (line.startsWith("#") || line.isEmpty()) continue;
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("sample line '%s'", line).isTrue();
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) labels.put(l.group(1), l.group(1).equals("le") ? bound(l.group(2)) : l.group(2));
            }
            String key = labels.isEmpty() ? m.group(1) : m.group(1) + labels.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .reduce((x, y) -> x + "," + y)
                    .map(x -> "{" + x + "}")
                    .orElseThrow();
            String value = m.group(3);
            assertThat(samples.put(key, value.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(value)))
                    .as("duplicate series %s", key)
                    .isNull();
        }
        return samples;
    }

}
