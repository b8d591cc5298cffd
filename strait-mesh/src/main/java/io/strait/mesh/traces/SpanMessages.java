package io.strait.mesh.traces;

import io.strait.mesh.api.v1.Span;
import io.strait.mesh.api.v1.SpanAttribute;
import io.strait.mesh.api.v1.SpanKind;
import io.strait.mesh.api.v1.SpanStatus;
import io.strait.proxy.observe.trace.SpanRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/** Spans to and from their wire form (traces.proto). */
final class SpanMessages {
    private SpanMessages() {}

    static Span toMessage(SpanRecord s) {
        Span.Builder b = Span.newBuilder()
                .setTraceId(s.traceId())
                .setSpanId(s.spanId())
                .setName(s.name() == null ? "" : s.name())
                .setKind(switch (s.kind()) {
                    case SERVER -> SpanKind.SPAN_KIND_SERVER;
                    case CLIENT -> SpanKind.SPAN_KIND_CLIENT;
                    case INTERNAL -> SpanKind.SPAN_KIND_INTERNAL;
                })
                .setService(s.service() == null ? "" : s.service())
                .setStartEpochNanos(s.startEpochNanos())
                .setEndEpochNanos(s.endEpochNanos())
                .setStatus(switch (s.status()) {
                    case UNSET -> SpanStatus.SPAN_STATUS_UNSET;
                    case OK -> SpanStatus.SPAN_STATUS_OK;
                    case ERROR -> SpanStatus.SPAN_STATUS_ERROR;
                });
        if (s.parentSpanId() != null) b.setParentSpanId(s.parentSpanId());
        if (s.statusMessage() != null) b.setStatusMessage(s.statusMessage());
        for (Map.Entry<String, Object> e : s.attributes().entrySet()) {
            SpanAttribute.Builder a = SpanAttribute.newBuilder().setKey(e.getKey());
            switch (e.getValue()) {
                case Long l -> a.setIntValue(l);
                case Integer i -> a.setIntValue(i);
                case Double d -> a.setDoubleValue(d);
                case Boolean bool -> a.setBoolValue(bool);
                case null -> { continue; }
                default -> a.setStringValue(String.valueOf(e.getValue()));
            }
            b.addAttributes(a);
        }
        return b.build();
    }

    static SpanRecord fromMessage(Span m) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (SpanAttribute a : m.getAttributesList()) {
            switch (a.getValueCase()) {
                case STRING_VALUE -> attributes.put(a.getKey(), a.getStringValue());
                case INT_VALUE -> attributes.put(a.getKey(), a.getIntValue());
                case DOUBLE_VALUE -> attributes.put(a.getKey(), a.getDoubleValue());
                case BOOL_VALUE -> attributes.put(a.getKey(), a.getBoolValue());
                case VALUE_NOT_SET -> { }
            }
        }
        return new SpanRecord(m.getTraceId(), m.getSpanId(), m.getParentSpanId().isEmpty() ? null : m.getParentSpanId(), m.getName(),
                switch (m.getKind()) {
                    case SPAN_KIND_SERVER -> SpanRecord.Kind.SERVER;
                    case SPAN_KIND_CLIENT -> SpanRecord.Kind.CLIENT;
                    default -> SpanRecord.Kind.INTERNAL;
                },
                m.getService(), m.getStartEpochNanos(), m.getEndEpochNanos(),
                switch (m.getStatus()) {
                    case SPAN_STATUS_OK -> SpanRecord.Status.OK;
                    case SPAN_STATUS_ERROR -> SpanRecord.Status.ERROR;
                    default -> SpanRecord.Status.UNSET;
                },
                m.getStatusMessage().isEmpty() ? null : m.getStatusMessage(), attributes);
    }
}
