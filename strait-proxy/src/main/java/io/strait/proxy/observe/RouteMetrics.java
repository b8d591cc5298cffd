package io.strait.proxy.observe;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.strait.proxy.http.ReplyReason;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data points of one (route, cluster) pair, resolved when the config is loaded or, for the request
 * counter's children (one per code, method, protocol and reason seen), on their first use and then kept in a
 * {@link CounterTable}: recording an exchange is a table probe and a few adder increments, with no label
 * lookup, no string built and nothing allocated. Thread-safe.
 */
public final class RouteMetrics {
    private static final ReplyReason[] REASONS = ReplyReason.values();

    private final Counter requests;
    private final String route;
    private final String cluster;
    private final CounterTable byOutcome = new CounterTable(this::resolve);
    private final DurationHistogram.Child duration;
    private final DurationHistogram.Child upstreamDuration;
    private final CounterDataPoint requestBytes;
    private final CounterDataPoint responseBytes;
    private final Counter retries;
    /** Retries by reason, resolved on first use (most routes never retry). */
    private final ConcurrentHashMap<String, CounterDataPoint> retriesByReason = new ConcurrentHashMap<>();

    RouteMetrics(ProxyMetrics.Families f, String route, String cluster) {
        this.requests = f.requests();
        this.retries = f.retries();
        this.route = route;
        this.cluster = cluster;
        this.duration = f.requestDuration().labelValue(route);
        this.upstreamDuration = f.upstreamDuration().labelValue(cluster);
        this.requestBytes = f.requestBytes().labelValues(route, cluster);
        this.responseBytes = f.responseBytes().labelValues(route, cluster);
    }

    /**
     * Counts one finished exchange. A status outside 100..599 is counted under {@code code="other"} (and
     * {@code code_class="other"}).
     *
     * @param kind the request's method and protocol, from {@link RequestLabels#kind}
     * @param reason why Strait answered itself, or null when the answer was the upstream's
     * @param upstreamNanos time spent on the upstream, or negative when none was called
     * @param bytesIn request body bytes read from the client
     * @param bytesOut response body bytes sent to the client
     */
    public void record(int status, int kind, ReplyReason reason, long durationNanos, long upstreamNanos,
                       long bytesIn, long bytesOut) {
        count(status, kind, reason, bytesIn, bytesOut);
        duration.observeNanos(durationNanos);
        if (upstreamNanos >= 0) upstreamDuration.observeNanos(upstreamNanos);
    }

    /** The counters' part of {@link #record}: the request's series and the bytes. */
    void count(int status, int kind, ReplyReason reason, long bytesIn, long bytesOut) {
        int code = status >= 100 && status <= 599 ? status : 0;
        int why = reason == null ? 0 : reason.ordinal() + 1;
        byOutcome.get(code | kind << 10 | why << (10 + RequestLabels.KIND_BITS)).inc();
        if (bytesIn > 0) requestBytes.inc(bytesIn);
        if (bytesOut > 0) responseBytes.inc(bytesOut);
    }

    /** Counts one retry of an attempt that failed with {@code reason} (a metric label value). */
    public void retry(String reason) {
        retriesByReason.computeIfAbsent(reason, r -> retries.labelValues(route, cluster, r)).inc();
    }

    /** The child of a packed key, made the first time the key is seen. */
    private CounterDataPoint resolve(int key) {
        int code = key & 0x3ff;
        int kind = (key >>> 10) & ((1 << RequestLabels.KIND_BITS) - 1);
        int why = key >>> (10 + RequestLabels.KIND_BITS);
        ReplyReason reason = why == 0 ? null : REASONS[why - 1];
        return requests.labelValues(route, cluster, RequestLabels.codeClass(code), RequestLabels.code(code),
                RequestLabels.METHODS[RequestLabels.methodOf(kind)], RequestLabels.PROTOCOLS[RequestLabels.protocolOf(kind)],
                reason == null ? "upstream" : "strait", reason == null ? "" : reason.label());
    }
}
