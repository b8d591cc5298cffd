package io.strait.proxy.observe;

/** STUB until the observe branch merges. */
public interface RouteMetrics {
    void record(int status, long durationNanos, long upstreamNanos);
}
