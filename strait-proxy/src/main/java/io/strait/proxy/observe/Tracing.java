package io.strait.proxy.observe;

import io.strait.config.model.ObservabilityConfig;

/** STUB until the observe branch merges. */
public final class Tracing implements AutoCloseable {
    public Tracing(ObservabilityConfig.Tracing config) {}
    public TraceContext startServerSpan(String incomingTraceparent) { return new TraceContext("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", null, true); }
    public String traceparentForUpstream(TraceContext t) { return "00-" + t.traceId() + "-" + t.spanId() + "-01"; }
    public void endSpan(TraceContext t, ExchangeRecord r) {}
    @Override public void close() {}
}
