package io.strait.proxy.dashboard;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One reading of the request metrics, summed by route and by cluster: the same counters and histogram buckets
 * {@code GET /metrics} shows, so what the dashboard draws is what Prometheus would compute from them. Requests
 * come from {@code strait_requests_total} (every label but {@code route}, or {@code cluster}, summed; errors are
 * the {@code code_class="5xx"} ones), latency from {@code strait_request_duration_seconds{route}} and
 * {@code strait_upstream_duration_seconds{cluster}}.
 */
record TrafficSample(long epochMillis, Map<String, Totals> routes, Map<String, Totals> clusters) {
    static final String REQUESTS = "strait_requests";
    static final String ROUTE_DURATION = "strait_request_duration_seconds";
    static final String CLUSTER_DURATION = "strait_upstream_duration_seconds";

    /** Cumulative counts of one route or cluster; {@code buckets} are cumulative per {@code upperBounds}, or empty. */
    record Totals(long requests, long errors, double[] upperBounds, long[] buckets) {}

    /** Reads the three metrics from {@code registry} (the others are not even collected). */
    static TrafficSample read(PrometheusRegistry registry, long epochMillis) {
        MetricSnapshots snapshots = registry.scrape(TrafficSample::wanted);
        Map<String, long[]> routeCounts = new HashMap<>();
        Map<String, long[]> clusterCounts = new HashMap<>();
        Map<String, HistogramSnapshot.HistogramDataPointSnapshot> routeLatency = new HashMap<>();
        Map<String, HistogramSnapshot.HistogramDataPointSnapshot> clusterLatency = new HashMap<>();
        for (MetricSnapshot s : snapshots) {
            String name = s.getMetadata().getName();
            if (s instanceof CounterSnapshot c && (name.equals(REQUESTS) || name.equals(REQUESTS + "_total"))) {
                for (CounterSnapshot.CounterDataPointSnapshot p : c.getDataPoints()) {
                    Labels l = p.getLabels();
                    long n = (long) p.getValue();
                    boolean error = "5xx".equals(l.get("code_class"));
                    add(routeCounts, l.get("route"), n, error);
                    String cluster = l.get("cluster");
                    if (cluster != null && !cluster.isEmpty()) add(clusterCounts, cluster, n, error);
                }
            } else if (s instanceof HistogramSnapshot h && name.equals(ROUTE_DURATION)) {
                for (var p : h.getDataPoints()) merge(routeLatency, p.getLabels().get("route"), p);
            } else if (s instanceof HistogramSnapshot h && name.equals(CLUSTER_DURATION)) {
                for (var p : h.getDataPoints()) merge(clusterLatency, p.getLabels().get("cluster"), p);
            }
        }
        return new TrafficSample(epochMillis, totals(routeCounts, routeLatency), totals(clusterCounts, clusterLatency));
    }

    /** The registry's names are tested with and without their suffixes ({@code _total}, {@code _bucket}); a prefix test takes both. */
    private static boolean wanted(String name) {
        return name.startsWith(REQUESTS) || name.startsWith(ROUTE_DURATION) || name.startsWith(CLUSTER_DURATION);
    }

    private static void add(Map<String, long[]> counts, String key, long n, boolean error) {
        long[] c = counts.computeIfAbsent(key == null ? "" : key, k -> new long[2]);
        c[0] += n;
        if (error) c[1] += n;
    }

    /** Keeps one data point per key; a second one (another label the telemetry adds) is summed into it. */
    private static void merge(Map<String, HistogramSnapshot.HistogramDataPointSnapshot> into, String key,
            HistogramSnapshot.HistogramDataPointSnapshot p) {
        if (!p.hasClassicHistogramData()) return;
        into.merge(key == null ? "" : key, p, (a, b) -> {
            ClassicHistogramBuckets x = a.getClassicBuckets();
            ClassicHistogramBuckets y = b.getClassicBuckets();
            if (x.size() != y.size()) return a;
            double[] bounds = new double[x.size()];
            long[] counts = new long[x.size()];
            for (int i = 0; i < x.size(); i++) {
                bounds[i] = x.getUpperBound(i);
                counts[i] = x.getCount(i) + y.getCount(i);
            }
            return new HistogramSnapshot.HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, counts),
                    a.getSum() + b.getSum(), Labels.EMPTY, null, 0);
        });
    }

    private static Map<String, Totals> totals(Map<String, long[]> counts,
            Map<String, HistogramSnapshot.HistogramDataPointSnapshot> latency) {
        Map<String, Totals> out = new TreeMap<>();
        counts.forEach((key, c) -> {
            HistogramSnapshot.HistogramDataPointSnapshot h = latency.get(key);
            double[] bounds = new double[0];
            long[] cumulative = new long[0];
            if (h != null) {
                ClassicHistogramBuckets b = h.getClassicBuckets();
                bounds = new double[b.size()];
                cumulative = new long[b.size()];
                long running = 0;
                for (int i = 0; i < b.size(); i++) {
                    bounds[i] = b.getUpperBound(i);
                    running += b.getCount(i); // the snapshot's counts are per bucket; Prometheus exposes them summed
                    cumulative[i] = running;
                }
            }
            out.put(key, new Totals(c[0], c[1], bounds, cumulative));
        });
        return out;
    }
}
