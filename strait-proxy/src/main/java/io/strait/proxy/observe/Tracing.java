package io.strait.proxy.observe;

import io.strait.config.model.ObservabilityConfig;
import io.strait.proxy.observe.trace.OtelSettings;
import io.strait.proxy.observe.trace.OtlpSpans;
import io.strait.proxy.observe.trace.SpanRecord;
import io.strait.proxy.observe.trace.SpanSinks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * W3C trace context for every exchange, and its spans: a SERVER span per exchange and a CLIENT span per
 * upstream attempt (and per call a filter makes to a cluster), handed to the OTLP exporter when one is
 * configured and to the process's {@link SpanSinks} (the recent traces, a mesh's span stream).
 *
 * <p>Sampling happens first, and an unsampled request costs nothing: no ids, no objects. An incoming
 * {@code traceparent} decides by its sampled flag (parent-based, the default) and, when not sampled, passes
 * upstream unchanged; a request without one starts a trace with probability {@code sampleRatio}. When
 * nothing but the in-memory recent traces records spans and no ratio was chosen, new traces are started at
 * most {@link #RECENT_ONLY_NEW_TRACES_PER_SECOND} times a second: enough to see one's own requests, nothing
 * under load.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);

    /** How long {@link #close()} waits for buffered spans to be exported. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** New traces a second when only the recent traces record and no sampling was configured. */
    public static final int RECENT_ONLY_NEW_TRACES_PER_SECOND = 10;

    private final OtelSettings settings;
    private final OtlpSpans exporter;
    private final SpanSinks sinks;
    private final double sampleRatio;
    private final boolean parentBased;
    /** The least time between two new traces (0: no bound), and when the next may start (System.nanoTime). */
    private final long newTraceIntervalNanos;
    private final AtomicLong nextNewTrace = new AtomicLong(Long.MIN_VALUE / 2);

    private Tracing(OtelSettings settings, OtlpSpans exporter, SpanSinks sinks) {
        this.settings = settings;
        this.exporter = exporter;
        this.sinks = sinks;
        this.sampleRatio = settings.sampleRatio();
        this.parentBased = settings.parentBased();
        this.newTraceIntervalNanos = exporter == null && !settings.ratioSet()
                ? TimeUnit.SECONDS.toNanos(1) / RECENT_ONLY_NEW_TRACES_PER_SECOND
                : 0;
    }

    /** Tracing from the config and the process's environment, with no sinks of the process's own (tests, tools). */
    public static Tracing create(ObservabilityConfig.Tracing config) {
        return create(config, System.getenv(), new SpanSinks());
    }

    /**
     * Tracing from the config and {@code env} (the {@code OTEL_*} variables), recording into {@code sinks}
     * (kept by the process across reloads) and, when an endpoint is set, exporting over OTLP.
     */
    public static Tracing create(ObservabilityConfig.Tracing config, Map<String, String> env, SpanSinks sinks) {
        OtelSettings settings = OtelSettings.resolve(config, env);
        settings.warnings().forEach(w -> LOG.warn("tracing: {}", w));
        OtlpSpans exporter;
        try {
            exporter = settings.tracesEndpoint() == null ? null : new OtlpSpans(settings);
        } catch (IllegalArgumentException e) { // an OTEL_EXPORTER_OTLP_* endpoint that is no URL: refused, by name
            throw new IllegalArgumentException("tracing: the OTLP endpoint '" + settings.tracesEndpoint() + "' is not a URL ("
                    + e.getMessage() + "); see otlpEndpoint and OTEL_EXPORTER_OTLP_ENDPOINT");
        }
        return new Tracing(settings, exporter, sinks);
    }

    /** Whether spans are exported over OTLP. */
    public boolean exporting() {
        return exporter != null;
    }

    /** Where spans are exported, or null. */
    public String exportEndpoint() {
        return exporter == null ? null : exporter.endpoint();
    }

    /** Whether anything records spans (an exporter or a sink); when not, trace context only passes through. */
    public boolean recording() {
        return exporter != null || sinks.active();
    }

    /** The {@code service.name} of this process's spans. */
    public String serviceName() {
        return settings.serviceName();
    }

    /** Same as {@link #startServerSpan(CharSequence, CharSequence)} without a {@code tracestate}. */
    public TraceContext startServerSpan(CharSequence incomingTraceparent) {
        return startServerSpan(incomingTraceparent, null);
    }

    /**
     * This hop's span when the request is sampled, else null (then nothing about tracing is allocated, and a
     * {@code traceparent} the client sent goes upstream unchanged). A valid {@code traceparent} is continued
     * and its {@code tracestate} kept; an absent or invalid one starts a new trace (its {@code tracestate}
     * dropped, as the spec requires). Cheap and event-loop safe.
     */
    public TraceContext startServerSpan(CharSequence incomingTraceparent, CharSequence incomingTracestate) {
        return startServerSpan(incomingTraceparent, incomingTracestate, System.nanoTime());
    }

    /**
     * Same as {@link #startServerSpan(CharSequence, CharSequence)}, with the request's arrival ({@code
     * System.nanoTime()}) read by the caller: the bound on new traces needs no clock read of its own.
     */
    public TraceContext startServerSpan(CharSequence incomingTraceparent, CharSequence incomingTracestate, long nowNanos) {
        if (!recording()) return null;
        int parent = TraceContext.check(incomingTraceparent);
        if (parent != TraceContext.INVALID) {
            boolean sampled = parentBased ? parent == TraceContext.SAMPLED : sampleRatio(sampleRatio);
            if (!sampled) return null;
            TraceContext.Parent p = TraceContext.parse(incomingTraceparent);
            String state = incomingTracestate == null || incomingTracestate.isEmpty() ? null : incomingTracestate.toString();
            return new TraceContext(p.traceId(), TraceContext.newSpanId(), p.spanId(), true, state);
        }
        if (!sampleNewTrace(nowNanos)) return null;
        return new TraceContext(TraceContext.newTraceId(), TraceContext.newSpanId(), null, true, null);
    }

    /** The {@code traceparent} header for the upstream request, naming this hop's server span. */
    public String traceparentForUpstream(TraceContext context) {
        return context.traceparent();
    }

    /** A new span id, for a client span. */
    public String newSpanId() {
        return TraceContext.newSpanId();
    }

    /** Same as {@link #endServerSpan}. */
    public void endSpan(TraceContext context, ExchangeRecord record) {
        endServerSpan(context, record);
    }

    /**
     * Ends this hop's SERVER span (a no-op unless sampled). Never blocks (exporter and sinks drop when
     * full) and never throws.
     */
    public void endServerSpan(TraceContext context, ExchangeRecord r) {
        if (context == null || r == null) return;
        Map<String, Object> a = new LinkedHashMap<>(16);
        putIf(a, "http.request.method", r.method());
        putIf(a, "url.path", r.path());
        putIf(a, "http.route", r.route());
        if (r.status() > 0) a.put("http.response.status_code", (long) r.status());
        putIf(a, "server.address", r.host());
        putIf(a, "client.address", r.client());
        putIf(a, "network.protocol.name", r.protocol());
        putIf(a, "strait.request_id", r.requestId());
        putIf(a, "strait.cluster", r.cluster());
        putIf(a, "strait.upstream", r.upstream());
        putIf(a, "error.type", r.error());
        boolean error = r.status() >= 500 || (r.status() == 0 && r.error() != null);
        String method = r.method() == null ? "HTTP" : r.method();
        long start = TimeUnit.MILLISECONDS.toNanos(r.startEpochMillis());
        emit(new SpanRecord(context.traceId(), context.spanId(), context.parentSpanId(),
                r.route() == null ? method : method + ' ' + r.route(), SpanRecord.Kind.SERVER, settings.serviceName(), start,
                start + Math.max(0, r.durationNanos()), error ? SpanRecord.Status.ERROR : SpanRecord.Status.UNSET,
                error ? r.error() : null, a));
    }

    /**
     * Ends a CLIENT span: one upstream attempt, or one call a filter made to a cluster.
     *
     * @param attempt 1 for the first try, 2 for the first retry, ...; 0 for a filter's call
     * @param endpoint the endpoint tried ({@code host:port}), or null when none was reached
     * @param status the upstream's response status, or 0 when it gave none
     * @param error why the attempt failed without a response (or was retried), or null
     */
    public void endClientSpan(TraceContext context, String spanId, String method, String cluster, String endpoint, int attempt,
            long startEpochNanos, long endEpochNanos, int status, String error) {
        if (context == null || spanId == null) return;
        Map<String, Object> a = new LinkedHashMap<>(12);
        putIf(a, "http.request.method", method);
        if (endpoint != null) {
            int colon = endpoint.lastIndexOf(':');
            a.put("server.address", colon < 0 ? endpoint : endpoint.substring(0, colon));
            if (colon > 0) {
                try {
                    a.put("server.port", Long.parseLong(endpoint.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    // a name without a port: the address is enough
                }
            }
        }
        if (status > 0) a.put("http.response.status_code", (long) status);
        if (attempt > 0) {
            a.put("strait.attempt", (long) attempt);
            if (attempt > 1) a.put("http.request.resend_count", (long) (attempt - 1));
        }
        putIf(a, "strait.cluster", cluster);
        putIf(a, "strait.upstream", endpoint);
        putIf(a, "error.type", error != null ? error : status >= 400 ? Integer.toString(status) : null);
        boolean failed = status >= 400 || (status == 0 && error != null);
        emit(new SpanRecord(context.traceId(), spanId, context.spanId(), (method == null ? "HTTP" : method) + ' ' + cluster,
                SpanRecord.Kind.CLIENT, settings.serviceName(), startEpochNanos, Math.max(startEpochNanos, endEpochNanos),
                failed ? SpanRecord.Status.ERROR : SpanRecord.Status.UNSET, failed ? (error != null ? error : "HTTP " + status) : null, a));
    }

    private void emit(SpanRecord span) {
        if (exporter != null) exporter.accept(span);
        try {
            sinks.accept(span);
        } catch (RuntimeException e) {
            LOG.debug("a span sink failed", e);
        }
    }

    /** Spans the exporter could not hand over (a bug or a failing SDK); 0 normally. */
    public long failedSpanCount() {
        return exporter == null ? 0 : exporter.failedCount();
    }

    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Exports what is buffered and shuts the exporter down, waiting at most {@code timeout}.
     * Blocking: call from a shutdown or reload thread. The sinks are the process's: they stay.
     *
     * @return true when everything was exported in time
     */
    public boolean close(Duration timeout) {
        return exporter == null || exporter.close(timeout);
    }

    private boolean sampleNewTrace(long now) {
        if (!sampleRatio(sampleRatio)) return false;
        if (newTraceIntervalNanos == 0) return true;
        long next = nextNewTrace.get();
        return now - next >= 0 && nextNewTrace.compareAndSet(next, now + newTraceIntervalNanos);
    }

    private static boolean sampleRatio(double ratio) {
        if (ratio >= 1.0) return true;
        if (ratio <= 0.0) return false;
        return ThreadLocalRandom.current().nextDouble() < ratio;
    }

    private static void putIf(Map<String, Object> a, String key, String value) {
        if (value != null) a.put(key, value);
    }
}
