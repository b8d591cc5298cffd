package io.strait.proxy.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code GET /stats/history}: per route and per cluster, the totals of the latest reading (equal to
 * {@code /metrics}' counters), the last minute's rate, error rate and p50/p90/p99 latency, and the same per
 * second as columns ({@code t}, {@code rps}, {@code errorRate}, {@code p50Ms}, ...). A rate or percentile with no
 * request behind it is {@code null}.
 */
final class HistoryView {
    static final double[] QUANTILES = {0.5, 0.9, 0.99};
    private static final String[] QUANTILE_NAMES = {"p50Ms", "p90Ms", "p99Ms"};

    private HistoryView() {}

    static ObjectNode toJson(List<TrafficSample> samples) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("intervalSeconds", MetricsHistory.INTERVAL_MILLIS / 1000.0);
        root.put("windowSeconds", (MetricsHistory.SAMPLES - 1) * MetricsHistory.INTERVAL_MILLIS / 1000);
        if (samples.isEmpty()) {
            root.putNull("sampledAtEpochMillis");
            root.putArray("routes");
            root.putArray("clusters");
            return root;
        }
        TrafficSample last = samples.getLast();
        root.put("sampledAtEpochMillis", last.epochMillis());
        series(root.putArray("routes"), samples, TrafficSample::routes);
        series(root.putArray("clusters"), samples, TrafficSample::clusters);
        return root;
    }

    private static void series(ArrayNode out, List<TrafficSample> samples, Function<TrafficSample, Map<String, TrafficSample.Totals>> of) {
        TrafficSample first = samples.getFirst();
        TrafficSample last = samples.getLast();
        for (Map.Entry<String, TrafficSample.Totals> e : of.apply(last).entrySet()) {
            String key = e.getKey();
            TrafficSample.Totals now = e.getValue();
            ObjectNode o = out.addObject();
            o.put("name", key);
            o.putObject("total").put("requests", now.requests()).put("errors", now.errors());
            ObjectNode window = o.putObject("window");
            double seconds = (last.epochMillis() - first.epochMillis()) / 1000.0;
            interval(window, of.apply(first).get(key), now, seconds, samples.size() > 1);
            ObjectNode cols = o.putObject("series");
            ArrayNode t = cols.putArray("t");
            ArrayNode rps = cols.putArray("rps");
            ArrayNode err = cols.putArray("errorRate");
            ArrayNode[] q = new ArrayNode[QUANTILES.length];
            for (int i = 0; i < q.length; i++) q[i] = cols.putArray(QUANTILE_NAMES[i]);
            for (int i = 1; i < samples.size(); i++) {
                TrafficSample a = samples.get(i - 1);
                TrafficSample b = samples.get(i);
                TrafficSample.Totals before = of.apply(a).get(key);
                TrafficSample.Totals after = of.apply(b).get(key);
                if (after == null) continue; // not yet seen at that reading
                ObjectNode point = JsonNodeFactory.instance.objectNode();
                interval(point, before, after, (b.epochMillis() - a.epochMillis()) / 1000.0, true);
                t.add(b.epochMillis());
                rps.add(point.get("requestsPerSecond"));
                err.add(point.get("errorRate"));
                for (int k = 0; k < q.length; k++) q[k].add(point.get(QUANTILE_NAMES[k]));
            }
        }
    }

    /** Writes the rate, error rate and percentiles of what happened between two readings into {@code into}. */
    private static void interval(ObjectNode into, TrafficSample.Totals before, TrafficSample.Totals after, double seconds,
            boolean measured) {
        long requests = after.requests() - (before == null ? 0 : before.requests());
        long errors = after.errors() - (before == null ? 0 : before.errors());
        if (requests < 0) { // a counter reset: start again from zero
            requests = after.requests();
            errors = after.errors();
        }
        into.put("requests", requests);
        into.put("errors", errors);
        putNumber(into, "requestsPerSecond", measured && seconds > 0 ? requests / seconds : Double.NaN);
        putNumber(into, "errorRate", requests > 0 ? (double) errors / requests : Double.NaN);
        long[] buckets = Quantiles.delta(after.buckets(), before == null ? null : before.buckets());
        for (int k = 0; k < QUANTILES.length; k++) {
            putNumber(into, QUANTILE_NAMES[k], Quantiles.quantile(QUANTILES[k], after.upperBounds(), buckets) * 1000);
        }
    }

    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) o.putNull(field);
        else o.put(field, Math.round(v * 1000) / 1000.0);
    }
}
