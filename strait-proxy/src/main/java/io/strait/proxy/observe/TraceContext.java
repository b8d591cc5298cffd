package io.strait.proxy.observe;

/** STUB until the observe branch merges. */
public record TraceContext(String traceId, String spanId, String parentSpanId, boolean sampled) {}
