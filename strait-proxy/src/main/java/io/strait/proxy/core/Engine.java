package io.strait.proxy.core;

import io.strait.proxy.endpoint.UpstreamPools;
import io.strait.proxy.observe.AccessLog;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.observe.RouteMetrics;
import io.strait.proxy.observe.Tracing;

/** The process-wide parts every exchange uses; they outlive configuration reloads. */
public interface Engine {
    UpstreamPools pools();

    ProxyMetrics metrics();

    /** Metrics for requests that matched no route (404s, malformed paths). */
    RouteMetrics unroutedMetrics();

    AccessLog accessLog();

    Tracing tracing();

    /** The configuration generation new requests use. */
    Snapshot snapshot();
}
