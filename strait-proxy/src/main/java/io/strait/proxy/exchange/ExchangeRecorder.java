package io.strait.proxy.exchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.strait.proxy.http.ReplyReason;
import io.strait.proxy.observe.ExchangeRecord;
import io.strait.proxy.observe.RequestLabels;
import io.strait.proxy.observe.RecentErrors;
import io.strait.proxy.core.Engine;
import io.strait.proxy.core.RouteRuntime;

/**
 * What one exchange leaves behind: the route's (or the unrouted) request metrics, the access-log
 * record and the end of the server span. The parts note the outcome here as it happens (status, error,
 * bytes, upstream time); {@link #record} runs once, when the exchange completes. The record is made
 * only when the access log or span export wants it.
 */
final class ExchangeRecorder {
    private final ProxyExchange x;
    /** The status the client got (499 when it went away first), or 0 before any. */
    int status;
    /** Why the exchange ended badly (an error code or a reason), or null. */
    String error;
    /** Why Strait answered itself (a local reply, the client gone before any answer), or null: the upstream did. */
    ReplyReason reason;
    long bytesOut;
    /** When the upstream call began (System.nanoTime). */
    long upstreamStartNanos;
    /** From the upstream call's start to its response head, or -1 when there was none. */
    long upstreamNanos = -1;

    ExchangeRecorder(ProxyExchange x) {
        this.x = x;
    }

    void record() {
        Engine engine = x.engine;
        RouteRuntime route = x.route;
        engine.metrics().downstreamRequestsActive().dec();
        long duration = System.nanoTime() - x.ctx.startNanos();
        int kind = RequestLabels.kind(x.request.method(), x.down.http2(), x.clientVersion);
        if (route != null) route.metrics().record(status, kind, reason, duration, upstreamNanos, x.requestPump.bytesIn, bytesOut);
        else engine.unroutedMetrics().record(status, kind, reason, duration, -1, x.requestPump.bytesIn, bytesOut);
        if (status >= 500 || error != null) recentError(engine, route, duration);
        boolean spanRecorded = x.trace != null; // only sampled requests have one
        if (!engine.accessLog().enabled() && !spanRecorded) return;
        ExchangeRecord rec = new ExchangeRecord(x.ctx.startEpochMillis(), x.ctx.requestId(), x.ctx.clientIp(), x.method,
                x.host, x.path != null ? x.path : withoutQuery(x.request.uri()), x.ctx.protocol(), status, duration, upstreamNanos,
                x.requestPump.bytesIn, bytesOut, route == null ? null : route.name(),
                route == null || route.cluster() == null ? null : route.cluster().name(),
                x.call.endpoint == null ? null : x.call.endpoint.id(), x.request.headers().get(HttpHeaderNames.USER_AGENT),
                x.trace == null ? null : x.trace.traceId(), error, x.ctx.caller());
        engine.accessLog().log(rec);
        if (spanRecorded) engine.tracing().endServerSpan(x.trace, rec);
    }

    /** Keeps the failure for the dashboard's recent errors (errors only: nothing is allocated for a success). */
    private void recentError(Engine engine, RouteRuntime route, long durationNanos) {
        engine.metrics().recentErrors().add(new RecentErrors.Entry(x.ctx.startEpochMillis(), x.method,
                x.path != null ? x.path : withoutQuery(x.request.uri()), status, route == null ? null : route.name(),
                route == null || route.cluster() == null ? null : route.cluster().name(),
                x.call.endpoint == null ? null : x.call.endpoint.id(), error, durationNanos / 1e6, x.ctx.requestId(),
                x.trace == null ? null : x.trace.traceId()));
    }

    /** The access log never records a query string: it may carry credentials (an API key parameter). */
    private static String withoutQuery(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
