package io.strait.proxy.observe;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;

/**
 * The data points of one (route, cluster) pair, resolved once when the config is loaded so that
 * recording an exchange is a few adder increments with no label lookup. Thread-safe.
 */
public final class RouteMetrics {
    private static final double NANOS_PER_SECOND = 1e9;

    /** Index 1..5 for 1xx..5xx; 0 unused. */
    private final CounterDataPoint[] byClass = new CounterDataPoint[6];
    private final Counter requests;
    private final String route;
    private final String cluster;
    private final DistributionDataPoint duration;
    private final DistributionDataPoint upstreamDuration;
    private volatile CounterDataPoint other;
    private final Counter retries;
    /** Retries by reason, resolved on first use (most routes never retry). */
    private final java.util.concurrent.ConcurrentHashMap<String, CounterDataPoint> retriesByReason = new java.util.concurrent.ConcurrentHashMap<>();

    RouteMetrics(Counter requests, String route, String cluster, DistributionDataPoint duration,
                 DistributionDataPoint upstreamDuration, Counter retries) {
        this.requests = requests;
        this.retries = retries;
        this.route = route;
        this.cluster = cluster;
        for (int c = 1; c <= 5; c++) byClass[c] = requests.labelValues(route, cluster, c + "xx");
        this.duration = duration;
        this.upstreamDuration = upstreamDuration;
    }

    /**
     * Counts one finished exchange. A status outside 100..599 (e.g. 0: the client left before a
     * response) is counted under {@code code_class="other"}.
     *
     * @param upstreamNanos time spent on the upstream, or negative when none was called
     */
    public void record(int status, long durationNanos, long upstreamNanos) {
        int cls = status / 100;
        if (status >= 100 && cls <= 5) byClass[cls].inc();
        else otherClass().inc();
        duration.observe(Math.max(0, durationNanos) / NANOS_PER_SECOND);
        if (upstreamNanos >= 0) upstreamDuration.observe(upstreamNanos / NANOS_PER_SECOND);
    }

    /** Counts one retry of an attempt that failed with {@code reason} (a metric label value). */
    public void retry(String reason) {
        retriesByReason.computeIfAbsent(reason, r -> retries.labelValues(route, cluster, r)).inc();
    }

    /** Resolved on first use only, so routes that never see one do not export a zero series. */
    private CounterDataPoint otherClass() {
        CounterDataPoint o = other;
        if (o == null) other = o = requests.labelValues(route, cluster, "other");
        return o;
    }
}
