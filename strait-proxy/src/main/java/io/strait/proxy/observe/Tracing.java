package io.strait.proxy.observe;

import io.strait.config.model.ObservabilityConfig;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C trace context for every exchange, and OTLP span export when configured.
 *
 * <p>Context propagation always runs: each hop continues the caller's trace (new span id, the
 * caller's span as parent, its sampled flag) or starts a new trace sampled by {@code sampleRatio}.
 * With an {@code otlpEndpoint}, {@link #endSpan} hands sampled SERVER spans to an OpenTelemetry
 * batch processor whose own thread does the export; without one it does nothing.
 */
public final class Tracing implements AutoCloseable {

    /** How long {@link #close()} waits for buffered spans to be exported. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final double sampleRatio;
    private final OtlpSpans exporter;

    private Tracing(double sampleRatio, OtlpSpans exporter) {
        this.sampleRatio = sampleRatio;
        this.exporter = exporter;
    }

    /** Builds tracing from the config; a {@code null} config propagates context and samples all. */
    public static Tracing create(ObservabilityConfig.Tracing config) {
        if (config == null) return new Tracing(1.0, null);
        String endpoint = config.otlpEndpoint();
        OtlpSpans exporter = endpoint == null || endpoint.isBlank()
                ? null
                : new OtlpSpans(endpoint, config.serviceName());
        return new Tracing(config.sampleRatio(), exporter);
    }

    /** Whether spans are exported. */
    public boolean exporting() {
        return exporter != null;
    }

    /** Same as {@link #startServerSpan(CharSequence, CharSequence)} without a {@code tracestate}. */
    public TraceContext startServerSpan(CharSequence incomingTraceparent) {
        return startServerSpan(incomingTraceparent, null);
    }

    /**
     * The context of this hop. A valid {@code traceparent} is continued and its {@code tracestate}
     * kept; an absent or invalid one starts a new trace (and its {@code tracestate} is dropped, as
     * the spec requires). Cheap and event-loop safe.
     */
    public TraceContext startServerSpan(CharSequence incomingTraceparent, CharSequence incomingTracestate) {
        TraceContext.Parent parent = TraceContext.parse(incomingTraceparent);
        if (parent != null) {
            String state = incomingTracestate == null || incomingTracestate.isEmpty()
                    ? null
                    : incomingTracestate.toString();
            return new TraceContext(parent.traceId(), TraceContext.newSpanId(), parent.spanId(), parent.sampled(), state);
        }
        return new TraceContext(TraceContext.newTraceId(), TraceContext.newSpanId(), null, sampleNewTrace(), null);
    }

    /** The {@code traceparent} header for the upstream request. */
    public String traceparentForUpstream(TraceContext context) {
        return context.traceparent();
    }

    /**
     * Ends this hop's span. Exports it when tracing is configured and the trace is sampled; else a
     * no-op. Never blocks (the batch processor's queue drops when full) and never throws.
     */
    public void endSpan(TraceContext context, ExchangeRecord record) {
        if (exporter == null || context == null || !context.sampled() || record == null) return;
        exporter.export(context, record);
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
     * Blocking: call from a shutdown or reload thread.
     *
     * @return true when everything was exported in time
     */
    public boolean close(Duration timeout) {
        return exporter == null || exporter.close(timeout);
    }

    private boolean sampleNewTrace() {
        if (sampleRatio >= 1.0) return true;
        if (sampleRatio <= 0.0) return false;
        return ThreadLocalRandom.current().nextDouble() < sampleRatio;
    }
}
