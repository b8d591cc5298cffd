package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.proxy.http.ReplyReason;
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

    private static final int GET_H1 = RequestLabels.kind(HttpMethod.GET, false, HttpVersion.HTTP_1_1);

    @Test
    void countsRequestsByRouteClusterCodeMethodProtocolAndResponder() throws IOException {
        RouteMetrics users = metrics.forRoute("users", "users-svc");
        RouteMetrics orders = metrics.forRoute("orders", "orders-svc");
        for (int i = 0; i < 3; i++) users.record(200, GET_H1, null, 1_000_000, 500_000, 0, 10);
        users.record(204, RequestLabels.kind(HttpMethod.DELETE, true, HttpVersion.HTTP_1_1), null, 1_000_000, 500_000, 0, 0);
        users.record(404, GET_H1, ReplyReason.NO_ROUTE, 1_000_000, -1, 0, 0);
        users.record(503, RequestLabels.kind(HttpMethod.POST, false, HttpVersion.HTTP_1_0), ReplyReason.BREAKER_OPEN,
                1_000_000, 900_000, 5, 0);
        users.record(0, GET_H1, null, 1_000_000, -1, 0, 0);
        orders.record(101, RequestLabels.kind(HttpMethod.valueOf("BREW"), false, HttpVersion.HTTP_1_1), null, 1_000_000, 500_000, 0, 0);
        metrics.forRoute("users", "users-svc").record(302, GET_H1, null, 1, 1, 0, 0);

        Map<String, Double> s = scrape();
        assertThat(s.get(requests("users", "users-svc", "200", "GET", "HTTP/1.1", null))).isEqualTo(3.0);
        assertThat(s.get(requests("users", "users-svc", "204", "DELETE", "HTTP/2", null))).isEqualTo(1.0);
        assertThat(s.get(requests("users", "users-svc", "302", "GET", "HTTP/1.1", null))).isEqualTo(1.0);
        assertThat(s.get(requests("users", "users-svc", "404", "GET", "HTTP/1.1", ReplyReason.NO_ROUTE))).isEqualTo(1.0);
        assertThat(s.get(requests("users", "users-svc", "503", "POST", "HTTP/1.0", ReplyReason.BREAKER_OPEN))).isEqualTo(1.0);
        assertThat(s.get(requests("users", "users-svc", "other", "GET", "HTTP/1.1", null))).isEqualTo(1.0);
        assertThat(s.get(requests("orders", "orders-svc", "101", "other", "HTTP/1.1", null))).isEqualTo(1.0);
        assertThat(s.keySet().stream().filter(k -> k.startsWith("strait_requests_total{")).count()).isEqualTo(7);
        assertThat(s.get("strait_request_bytes_total{cluster=users-svc,route=users}")).isEqualTo(5.0);
        assertThat(s.get("strait_response_bytes_total{cluster=users-svc,route=users}")).isEqualTo(30.0);
    }

    @Test
    void manyOutcomesOfOneRouteEachGetTheirOwnSeries() throws IOException {
        RouteMetrics route = metrics.forRoute("r", "c");
        ReplyReason[] reasons = ReplyReason.values();
        int n = 0;
        for (int code = 100; code <= 599; code += 7) {
            for (int i = 0; i <= reasons.length; i++) {
                route.record(code, GET_H1, i == reasons.length ? null : reasons[i], 1, -1, 0, 0);
                n++;
            }
        }
        route.record(100, GET_H1, null, 1, -1, 0, 0); // again: the same series
        Map<String, Double> s = scrape();
        long series = s.keySet().stream().filter(k -> k.startsWith("strait_requests_total{")).count();
        assertThat(series).isEqualTo(n);
        assertThat(s.get(requests("r", "c", "100", "GET", "HTTP/1.1", null))).isEqualTo(2.0);
        assertThat(s.get(requests("r", "c", "597", "GET", "HTTP/1.1", ReplyReason.FILTER))).isEqualTo(1.0);
    }

    /** The key of one {@code strait_requests_total} series, as {@link #scrape} makes it. */
    private static String requests(String route, String cluster, String code, String method, String protocol, ReplyReason reason) {
        String cls = code.equals("other") ? "other" : code.charAt(0) + "xx";
        return "strait_requests_total{cluster=" + cluster + ",code=" + code + ",code_class=" + cls + ",method=" + method
                + ",protocol=" + protocol + ",reason=" + (reason == null ? "" : reason.label())
                + ",responder=" + (reason == null ? "upstream" : "strait") + ",route=" + route + "}";
    }

    @Test
    void durationHistogramsUseClassicBuckets() throws IOException {
        RouteMetrics route = metrics.forRoute("r", "c");
        route.record(200, GET_H1, null, 300_000, -1, 0, 0); // 0.3 ms, no upstream
        route.record(200, GET_H1, null, 2_000_000, 1_500_000, 0, 0); // 2 ms, upstream 1.5 ms
        route.record(200, GET_H1, null, 20_000_000_000L, 19_000_000_000L, 0, 0); // 20 s: only +Inf

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
    void aDurationOnABucketsBoundCountsInThatBucketAndANegativeOneAsZero() throws IOException {
        RouteMetrics route = metrics.forRoute("edge", "c");
        route.record(200, GET_H1, null, 1_000_000, -1, 0, 0);  // exactly 1 ms: le="0.001" (a bound is inclusive)
        route.record(200, GET_H1, null, 1_000_001, -1, 0, 0);  // just over: le="0.0025"
        route.record(200, GET_H1, null, -5, -1, 0, 0);         // a clock that went back: 0
        Map<String, Double> s = scrape();
        assertThat(s.get("strait_request_duration_seconds_bucket{le=0.0005,route=edge}")).isEqualTo(1.0);
        assertThat(s.get("strait_request_duration_seconds_bucket{le=0.001,route=edge}")).isEqualTo(2.0);
        assertThat(s.get("strait_request_duration_seconds_bucket{le=0.0025,route=edge}")).isEqualTo(3.0);
        assertThat(s.get("strait_request_duration_seconds_sum{route=edge}")).isCloseTo(0.002000001, within(1e-12));
    }

    @Test
    void scrapeIsWellFormedTextFormat() throws IOException {
        metrics.forRoute("users", "users-svc").record(200, GET_H1, null, 1_000_000, 1, 0, 0);
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

    @Test
    void buildInfoAndJvmAndProcessMetricsAreExported() throws IOException {
        Map<String, Double> s = scrape();
        String build = s.keySet().stream().filter(k -> k.startsWith("strait_build_info{")).findFirst().orElseThrow();
        Matcher m = Pattern.compile("strait_build_info\\{java_version=(.+),revision=(.+),version=(.+)}").matcher(build);
        assertThat(m.matches()).as(build).isTrue();
        assertThat(s.get(build)).isEqualTo(1.0);
        assertThat(m.group(3)).isEqualTo(BuildInfo.current().version()).isNotEqualTo(BuildInfo.UNKNOWN); // the build wrote it
        assertThat(m.group(2)).matches("[0-9a-f]{40}|unknown");
        assertThat(m.group(1)).isEqualTo(Runtime.version().toString());
        assertThat(s.get("jvm_memory_used_bytes{area=heap}")).isPositive();
        assertThat(s.get("jvm_classes_currently_loaded")).isPositive();
        assertThat(s.get("jvm_threads_current")).isPositive();
        assertThat(s.get("process_cpu_seconds_total")).isPositive();
        assertThat(s.get("process_resident_memory_bytes")).isPositive();
        assertThat(s.get("process_open_fds")).isPositive();
        assertThat(s.keySet()).anyMatch(k -> k.startsWith("jvm_gc_collection_seconds_count{gc="));
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws IOException {
        metrics.forRoute("users", "users-svc").record(200, GET_H1, null, 1_000_000, 1, 3, 4);
        // what Prometheus 3 sends by default
        String prometheus = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
                + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        var out = new ByteArrayOutputStream();
        assertThat(metrics.scrape(out, prometheus)).isEqualTo(ProxyMetrics.OPENMETRICS_CONTENT_TYPE)
                .startsWith("application/openmetrics-text; version=1.0.0");
        String om = out.toString(StandardCharsets.UTF_8);
        assertThat(om).endsWith("# EOF\n").contains(
                "# TYPE strait_requests counter",
                "# TYPE strait_build info",
                "# TYPE strait_request_bytes counter",
                "# UNIT strait_request_bytes bytes",
                "strait_request_bytes_total{cluster=\"users-svc\",route=\"users\"} 3");

        for (String accept : new String[] {null, "text/plain", "*/*", "text/plain;version=0.0.4"}) {
            var text = new ByteArrayOutputStream();
            assertThat(metrics.scrape(text, accept)).isEqualTo(ProxyMetrics.CONTENT_TYPE);
            assertThat(text.toString(StandardCharsets.UTF_8)).doesNotContain("# EOF").contains("# TYPE strait_requests_total counter");
        }
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
