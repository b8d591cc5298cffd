package io.strait.proxy.exchange;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.TrafficPolicy;
import io.strait.proxy.cluster.lb.LbContext;
import io.strait.proxy.http.ReplyReason;
import io.strait.proxy.endpoint.UpstreamConnection;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.StraitHeaders;
import io.strait.proxy.observe.TraceContext;
import io.strait.proxy.resilience.AttemptResult;
import io.strait.proxy.route.PathNormalizer;
import io.strait.proxy.route.Route;
import io.strait.proxy.route.RouteMatchResult;
import io.strait.proxy.route.RouteRequest;
import io.strait.proxy.core.Engine;
import io.strait.proxy.core.ListenerRuntime;
import io.strait.proxy.core.RouteRuntime;
import io.strait.proxy.core.Snapshot;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One request's journey: listener filters, path normalization, route match, route filters, load
 * balancing, a pooled upstream connection, and the response back. Everything runs on the downstream
 * channel's event loop, which is also the loop of every upstream connection it uses, so no state here
 * is shared between threads.
 *
 * <p>The exchange is a small state machine (receive the head, run the listener's filters, route, run
 * the route's filters, call the upstream, relay the response, complete) that hands each concern to a
 * named part, made once per exchange (the exchange itself is the balancer's view of the request, {@link LbContext}):
 * <ul>
 *   <li>{@link FilterRunner}: the listener's and the route's filter chains;</li>
 *   <li>{@link UpstreamCall}: admission to the cluster, the attempts, endpoint selection and retries;</li>
 *   <li>{@link UpstreamHead}: the client's head rewritten into the upstream request;</li>
 *   <li>{@link RequestPump} and {@link ResponsePump}: the bodies, streamed with backpressure;</li>
 *   <li>{@link Deadlines}: every timeout of the exchange, served by the connection's one timer;</li>
 *   <li>{@link LocalReply}: Strait's own JSON answers (made on the first one);</li>
 *   <li>{@link ExchangeRecorder}: metrics, the access log and the server span.</li>
 * </ul>
 * Parts reach each other through the exchange's fields (package-private, all on one loop).
 */
public final class ProxyExchange implements FilterRunner.Host, LbContext {
    final Engine engine;
    final Snapshot snapshot;
    /** The listener's part of the snapshot: its settings, first filters and router. */
    final ListenerRuntime view;
    final Downstream down;
    final HttpRequest request;
    final RequestContext ctx;
    final String method;
    final boolean clientKeepAlive;
    final HttpVersion clientVersion;

    final FilterRunner filters;
    final Deadlines deadlines;
    final UpstreamCall call;
    final RequestPump requestPump;
    final ResponsePump responsePump;
    /** Made on the first local reply (most exchanges have none). */
    private LocalReply reply;
    final ExchangeRecorder recorder;

    /** This generation's settings of the listener (a reload may have changed them since the connection opened). */
    ListenerConfig listener;
    String path;
    String query;
    String host;
    RouteRuntime route;
    Route matched;
    TraceContext trace;
    /** What the balancer sees of this request (made when the request is admitted to its cluster). */
    LbContext lb;
    /** The copy of this request sent to the route's mirror cluster, or null. */
    MirrorCall mirror;
    /** A WebSocket upgrade request (HTTP/1.1): a 101 turns the connection into a tunnel. */
    boolean webSocket;
    boolean done;

    /** {@code clientIp}: the client's address as text when the connection already knows it, else null. */
    public ProxyExchange(Engine engine, Snapshot snapshot, ListenerRuntime view, Downstream down, HttpRequest request,
            InetSocketAddress client, String clientIp) {
        this.engine = engine;
        this.snapshot = snapshot;
        this.view = view;
        this.down = down;
        this.request = request;
        this.method = request.method().name();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.clientVersion = request.protocolVersion();
        String protocol = down.http2() ? "HTTP/2" : request.protocolVersion().text();
        this.ctx = new RequestContext(request, client, clientIp, down.secure(), protocol);
        ctx.eventLoop(down.loop());
        this.filters = new FilterRunner(this, ctx, down.loop(), engine.metrics());
        this.deadlines = new Deadlines(this);
        this.call = new UpstreamCall(this);
        // An HTTP/2 request without a body arrives whole (HEADERS with END_STREAM).
        this.requestPump = new RequestPump(this, request instanceof LastHttpContent);
        this.responsePump = new ResponsePump(this);
        this.recorder = new ExchangeRecorder(this);
    }

    @Override
    public io.netty.handler.codec.http.HttpHeaders requestHeaders() {
        return request.headers();
    }

    @Override
    public String sourceIp() {
        return ctx.clientIp();
    }

    /** Strait's own answers for this exchange, made on first use. */
    LocalReply reply() {
        LocalReply r = reply;
        if (r == null) reply = r = new LocalReply(this);
        return r;
    }

    /** Whether a local reply waits for the end of the request. */
    boolean replyDeferred() {
        return reply != null && reply.deferred();
    }

    public RequestContext context() {
        return ctx;
    }

    // ---------------------------------------------------------------- the request's way in

    /** Runs everything up to choosing an endpoint; ends in a connection request or a direct answer. */
    public void start() {
        listener = view.config();
        // W3C trace context: a sampled request gets this hop's span (continuing the caller's trace, or a new
        // one); an unsampled one gets nothing, and a traceparent it carries goes upstream unchanged.
        String traceparent = request.headers().get(StraitHeaders.TRACEPARENT);
        if (traceparent != null || engine.tracing().recording()) {
            trace = engine.tracing().startServerSpan(traceparent, traceparent == null ? null
                    : request.headers().get(StraitHeaders.TRACESTATE), ctx.startNanos());
            if (trace != null) ctx.trace(trace);
        }
        engine.metrics().downstreamRequestsActive().inc();
        deadlines.start();
        filters.runListener(view.filters(), deadlines.listenerFiltersDeadline());
    }

    @Override
    public void filtersDone(boolean listenerStage) {
        if (done) return;
        if (listenerStage) route();
        else afterRouteFilters();
    }

    @Override
    public void requestBodyDone(io.strait.proxy.filter.MessageBody body) {
        if (done) return; // the pump released it with the exchange
        requestPump.bodyFiltered(body);
    }

    @Override
    public void filterAnswered(FilterResult.Respond answer) {
        if (done) return;
        abortUpstream();
        reply().respond(answer);
    }

    @Override
    public void suspendedUntil(long deadline) {
        deadlines.filterSuspended(deadline);
    }

    @Override
    public void suspensionEnded() {
        deadlines.filterResumed();
    }

    @Override
    public boolean exchangeDone() {
        return done;
    }

    /** Normalizes the path, chooses the route and runs its filters. */
    private void route() {
        PathNormalizer.Result norm = PathNormalizer.normalize(request.uri(), listener.paths());
        if (!norm.ok()) {
            reply().error(ReplyReason.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "bad_request", "invalid request path: " + norm.rejection());
            return;
        }
        path = norm.path();
        query = norm.query();
        ctx.query(query);
        ctx.path(path);
        host = hostOf(request.headers().get(HttpHeaderNames.HOST));
        RouteMatchResult match = view.router().match(RouteRequest.of(host, method, path, query, request.headers()));
        if (match == null) {
            reply().error(ReplyReason.NO_ROUTE, HttpResponseStatus.NOT_FOUND, "route_not_found", "no route for " + method + " " + path);
            return;
        }
        matched = match.route();
        route = snapshot.route(matched);
        ctx.routeName(route.name());
        if (!match.pathParams().isEmpty()) ctx.pathParams(match.pathParams());
        if (!requestPump.withinLimit(route, listener)) return;
        filters.runRoute(route.filters(), deadlines.routeDeadline());
    }

    /**
     * The route's filters let the request through: its body is read whole first when one of them reads
     * it ({@link RequestPump#collectForFilters}), else the request goes on streaming.
     */
    private void afterRouteFilters() {
        if (!requestPump.collectForFilters()) forward();
    }

    /** The request goes to the route's cluster (after the route's fault injection, if any). */
    void forward() {
        if (route.cluster() == null) {
            reply().error(ReplyReason.NO_CLUSTER, HttpResponseStatus.SERVICE_UNAVAILABLE, "no_cluster", "route " + route.name() + " has no cluster");
            return;
        }
        TrafficPolicy.Fault fault = route.config().traffic().fault();
        if (fault != null && injectFault(fault)) return;
        call.start();
    }

    /** The route's fault injection: true when it answered the request or delays it (then it goes on later). */
    private boolean injectFault(TrafficPolicy.Fault fault) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (fault.abortPercent() > 0 && rnd.nextDouble() * 100 < fault.abortPercent()) {
            reply().error(ReplyReason.FAULT_INJECTED, HttpResponseStatus.valueOf(fault.abortStatus()), "fault_injected", "fault injected by route " + route.name());
            return true;
        }
        if (fault.delay() != null && fault.delayPercent() > 0 && rnd.nextDouble() * 100 < fault.delayPercent()) {
            down.loop().schedule(() -> {
                if (!done) call.start();
            }, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- events from the downstream

    /** A body chunk from the client; the exchange owns it. */
    public void onRequestContent(HttpContent content) {
        requestPump.onContent(content);
    }

    /** The client's request body could not be decoded (bad chunk): nothing more can be forwarded. */
    public void onRequestBodyError(int code, String errorCode, String message) {
        if (done) return;
        abortUpstream();
        if (!responsePump.started) {
            reply().error(code == 413 ? ReplyReason.REQUEST_TOO_LARGE : ReplyReason.BAD_REQUEST,
                    HttpResponseStatus.valueOf(code), errorCode, message);
        } else {
            fail(message);
        }
    }

    /** The client took longer than the listener's requestTimeout to send its request: 408. */
    void requestTimedOut() {
        if (done) return;
        abortUpstream();
        if (!responsePump.started) {
            reply().error(ReplyReason.REQUEST_TIMEOUT, HttpResponseStatus.REQUEST_TIMEOUT, "request_timeout",
                    "request not received within " + down.listener().requestTimeout().toMillis() + "ms");
        } else {
            fail("request timeout");
        }
    }

    /**
     * The connection's timer fired (at {@code now}, System.nanoTime): {@link Deadlines} runs what is
     * due and returns when the timer must fire next, or 0 when nothing is left to watch.
     */
    public long onTimer(long now) {
        return deadlines.onTimer(now);
    }

    /** The client can take more: resume reading the upstream. */
    public void onDownstreamWritable() {
        if (!done) responsePump.onDownstreamWritable();
    }

    /** The client went away: drop the upstream side. */
    public void onDownstreamClosed() {
        if (done) return;
        recorder.error = "client_closed";
        if (recorder.status == 0) {
            recorder.status = 499;
            recorder.reason = ReplyReason.CLIENT_CLOSED;
        }
        abortUpstream();
        call.endAttempt(AttemptResult.CANCELLED);
        complete(false);
    }

    // ---------------------------------------------------------------- endings

    /** A 101 answered the client's WebSocket upgrade: the two connections become a byte tunnel. */
    void tunnel() {
        UpstreamConnection u = call.connection;
        call.connection = null;
        u.detach();
        down.becomeTunnel(u.channel());
        complete(false);
    }

    /** The response went out whole: the upstream connection goes back to its pool when it can. */
    void finish() {
        call.letGoConnection(responsePump.upstreamKeepAlive && requestPump.sent);
        complete(responsePump.keepAlive && requestPump.complete);
    }

    /** Something broke after the response began: the client sees a cut connection or a reset stream. */
    void fail(String why) {
        recorder.error = why;
        abortUpstream();
        responsePump.keepAlive = false;
        complete(false);
    }

    /** Stops the upstream side: its timeout, its connection request, its connection (closed), a chunk waiting for it. */
    void abortUpstream() {
        deadlines.cancel();
        responsePump.drainingForRetry = false;
        call.abort();
        requestPump.releasePending();
    }

    /** The exchange is over: every part lets go of what it holds, the recorder records, the connection moves on. */
    void complete(boolean reusable) {
        if (done) return;
        done = true;
        deadlines.cancel();
        requestPump.releasePending();
        filters.close();
        requestPump.releaseBody();
        responsePump.releaseHeldResponse();
        if (mirror != null) mirror.realRequestAborted();
        requestPump.dropReplay();
        call.close();
        if (reply != null) reply.releaseDeferred();
        ReferenceCountUtil.release(request); // an HTTP/2 FullHttpRequest: each write took its own reference
        recorder.record();
        down.exchangeDone(this, reusable);
    }

    /** The host a route matches on: the Host header in lower case, without its port (empty when there is none). */
    public static String hostOf(String hostHeader) {
        if (hostHeader == null) return "";
        int end = hostHeader.length();
        if (hostHeader.startsWith("[")) {
            int close = hostHeader.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = hostHeader.lastIndexOf(':');
            if (colon >= 0) end = colon;
        }
        return hostHeader.substring(0, end).toLowerCase(Locale.ROOT);
    }
}
