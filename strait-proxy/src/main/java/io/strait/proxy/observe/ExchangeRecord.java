package io.strait.proxy.observe;

/** STUB until the observe branch merges. */
public record ExchangeRecord(long startEpochMillis, String requestId, String client, String method, String host,
        String path, String protocol, int status, long durationNanos, long upstreamNanos, long bytesIn, long bytesOut,
        String route, String cluster, String upstream, String userAgent, String traceId, String error) {}
