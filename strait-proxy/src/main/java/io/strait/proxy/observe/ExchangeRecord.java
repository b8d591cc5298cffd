package io.strait.proxy.observe;

/**
 * What the proxy observed about one request/response exchange, handed to the access log and the
 * tracer once the exchange ends. Immutable; strings are {@code null} when unknown.
 *
 * @param startEpochMillis when the request arrived (wall clock)
 * @param requestId the {@code X-Request-Id} in effect
 * @param client the downstream client address ({@code ip} or {@code ip:port})
 * @param protocol {@code HTTP/1.1}, {@code HTTP/2.0}, ...
 * @param status the status sent downstream; 0 when none was sent
 * @param durationNanos from request arrival to the last byte sent downstream
 * @param upstreamNanos time spent waiting on the upstream, or -1 when no upstream was called
 * @param route the matched route's name
 * @param cluster the cluster the route sent the request to
 * @param upstream the endpoint that served the request ({@code host:port})
 * @param traceId the W3C trace id (32 lower-case hex digits)
 * @param error a short machine-readable reason when the proxy failed the exchange
 * @param caller who the request came from, as its authentication found (null: not authenticated)
 */
public record ExchangeRecord(
        long startEpochMillis,
        String requestId,
        String client,
        String method,
        String host,
        String path,
        String protocol,
        int status,
        long durationNanos,
        long upstreamNanos,
        long bytesIn,
        long bytesOut,
        String route,
        String cluster,
        String upstream,
        String userAgent,
        String traceId,
        String error,
        Caller caller) {

    /** Without a caller (none authenticated). */
    public ExchangeRecord(long startEpochMillis, String requestId, String client, String method, String host, String path,
            String protocol, int status, long durationNanos, long upstreamNanos, long bytesIn, long bytesOut, String route,
            String cluster, String upstream, String userAgent, String traceId, String error) {
        this(startEpochMillis, requestId, client, method, host, path, protocol, status, durationNanos, upstreamNanos, bytesIn,
                bytesOut, route, cluster, upstream, userAgent, traceId, error, null);
    }

    /** The {@code upstreamNanos} value that means "no upstream was called". */
    public static final long NO_UPSTREAM = -1;
}
