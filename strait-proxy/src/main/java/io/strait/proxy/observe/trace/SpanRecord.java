package io.strait.proxy.observe.trace;

import java.util.Map;

/**
 * One finished span, as the recent traces, the OTLP exporter and the mesh's span stream see it.
 * Made only for sampled traces, once, when the span ends; immutable.
 *
 * @param traceId 32 lower-case hex digits
 * @param spanId 16 lower-case hex digits
 * @param parentSpanId the parent's span id, or null for a trace's root
 * @param service the service that recorded it ({@code service.name})
 * @param attributes OpenTelemetry semantic-convention names to String, Long, Double or Boolean values
 */
public record SpanRecord(String traceId, String spanId, String parentSpanId, String name, Kind kind, String service,
        long startEpochNanos, long endEpochNanos, Status status, String statusMessage, Map<String, Object> attributes) {

    /** What the span measures, as OpenTelemetry's span kinds. */
    public enum Kind { SERVER, CLIENT, INTERNAL }

    /** OpenTelemetry's span status codes. */
    public enum Status { UNSET, OK, ERROR }

    public SpanRecord {
        attributes = attributes == null ? Map.of() : attributes;
    }

    /** The span's length in milliseconds, with microsecond precision. */
    public double durationMillis() {
        return Math.max(0, endEpochNanos - startEpochNanos) / 1_000 / 1_000.0;
    }
}
