package io.strait.proxy.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.strait.proxy.filter.MessageBody;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.TrafficPolicy;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.LbContext;
import io.strait.proxy.endpoint.PoolCallback;
import io.strait.proxy.endpoint.PoolOverflowException;
import io.strait.proxy.endpoint.UpstreamConnection;
import io.strait.proxy.endpoint.UpstreamListener;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ErrorResponse;
import io.strait.proxy.http.HopByHop;
import io.strait.proxy.http.StraitHeaders;
import io.strait.proxy.observe.ExchangeRecord;
import io.strait.proxy.observe.TraceContext;
import io.strait.proxy.resilience.AttemptResult;
import io.strait.proxy.resilience.Backoff;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.route.PathNormalizer;
import io.strait.proxy.route.RouteMatchResult;
import io.strait.proxy.route.RouteRequest;
import io.strait.proxy.runtime.Engine;
import io.strait.proxy.runtime.RouteRuntime;
import io.strait.proxy.runtime.Snapshot;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import io.netty.util.AsciiString;

/**
 * One request's journey: listener filters, path normalization, route match, route filters, load
 * balancing, a pooled upstream connection, and the response back. Bodies stream both ways; the
 * downstream is read only when the upstream can take more, and the upstream is read only while the
 * downstream can take more. Everything runs on the downstream channel's event loop, which is also
 * the loop of every upstream connection it uses, so no state here is shared between threads.
 *
 * <p>The upstream call is made of attempts: an attempt that fails before its response starts (a
 * refused or reset connection, a per-try timeout, a retriable status) is retried, after a backoff,
 * on another endpoint when the route's {@link RetryPolicy} and the cluster's retry budget allow it.
 * Every attempt's result feeds the cluster's circuit breaker and outlier detection.
 */
public final class ProxyExchange implements PoolCallback, UpstreamListener, FilterRunner.Host {
    /** Methods RFC 9110 section 9.2.2 calls idempotent: safe to send again after the upstream may have seen them. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    /** How often a retry asks the balancer again for an endpoint other than the one that failed (Envoy's previous-hosts). */
    private static final int RESELECT_TRIES = 3;
    /**
     * Request body bytes kept for sending again on a retry (Envoy keeps up to its buffer limit too); a
     * longer body is streamed without a copy, and its request is not retried once any of it was sent.
     */
    static final int RETRY_BUFFER_LIMIT = 64 * 1024;
    /** What bounds a listener filter's suspension when the listener has no request timeout: a route's default timeout. */
    private static final long DEFAULT_ROUTE_TIMEOUT_NANOS = io.strait.config.load.ConfigLoader.DEFAULT_ROUTE_TIMEOUT.toNanos();
    /** Attempt-count header values, made once: attempts are 1 + at most 10 retries. */
    private static final AsciiString[] ATTEMPT_VALUES = new AsciiString[12];

    static {
        for (int i = 1; i < ATTEMPT_VALUES.length; i++) ATTEMPT_VALUES[i] = AsciiString.cached(Integer.toString(i));
    }

    private final Engine engine;
    private final Snapshot snapshot;
    private final Downstream down;
    private final HttpRequest request;
    private final RequestContext ctx;
    private final String method;
    private final boolean clientKeepAlive;
    private final HttpVersion clientVersion;

    private final FilterRunner filters;
    private ListenerConfig listener;
    private String path;
    private String query;
    private String host;
    private RouteRuntime route;
    private io.strait.proxy.route.Route matched;
    private Endpoint endpoint;
    private UpstreamConnection upstream;
    private TraceContext trace;
    /** What the balancer sees of this request (made when the request is admitted to its cluster). */
    private LbContext lb;

    private HttpContent pendingContent;
    private boolean requestComplete;
    private boolean requestSent;
    private long bytesIn;
    private long maxBody;
    private boolean webSocket;
    private boolean upstreamH2;
    private boolean expectContinue;

    private boolean responseStarted;
    private boolean informational;
    private boolean responseKeepAlive = true;
    private boolean upstreamKeepAlive;
    private boolean upstreamPaused;
    private boolean done;
    private FullHttpResponse deferredError;
    private int status;
    private long bytesOut;
    private long upstreamStartNanos;
    private long upstreamNanos = -1;
    private String error;
    /**
     * The next time the downstream's timer must call {@link #onTimer} (System.nanoTime):
     * the attempt's or the route's timeout, the response's idle timeout, or 0 when none is running.
     */
    private long upstreamDeadline;

    // attempts: see proceed(), startAttempt() and retryable()
    private ClusterResilience resilience;
    private RetryPolicy retry;
    private int attempt;
    /**
     * The callback of the current attempt's connection request (the exchange itself for the first
     * attempt, an {@link Attempt} for a retry), or null; a late answer to an earlier one is let go.
     */
    private PoolCallback acquiring;
    private Endpoint previousEndpoint;
    private boolean requestAdmitted;
    private boolean attemptOpen;
    private boolean endpointActive;
    private boolean retryInFlight;
    /** A retriable response is being read to its end (its connection can then be reused) before the retry. */
    private boolean discarding;
    private AttemptResult retryReason;
    /** When the route's whole upstream call must have its response head, or 0 for no limit. */
    private long overallDeadline;
    private long lastResponseNanos;
    /** The copy of this request sent to the route's mirror cluster, or null. */
    private MirrorCall mirror;
    /** Whether the body is kept for a retry (a retriable method on a route with retries). */
    private boolean keepBody;
    /** The body chunks sent so far, kept for a retry (duplicates this exchange owns); null until the first byte, or when dropped. */
    private ArrayDeque<HttpContent> replay;
    private long replayBytes;
    /** The request body read whole for the route's body filters, or null (see {@link #afterRouteFilters}). */
    private CompositeByteBuf requestBody;
    /** A response held back while its body is read whole for the filters, or null. */
    private HttpResponse heldResponse;
    private CompositeByteBuf responseBody;
    private long responseBodyLimit;

    public ProxyExchange(Engine engine, Snapshot snapshot, Downstream down, HttpRequest request, InetSocketAddress client) {
        this(engine, snapshot, down, request, client, null);
    }

    /** {@code clientIp}: the client's address as text when the connection already knows it, else null. */
    public ProxyExchange(Engine engine, Snapshot snapshot, Downstream down, HttpRequest request, InetSocketAddress client,
            String clientIp) {
        this.engine = engine;
        this.snapshot = snapshot;
        this.down = down;
        this.request = request;
        this.method = request.method().name();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.clientVersion = request.protocolVersion();
        // An HTTP/2 request without a body arrives whole (HEADERS with END_STREAM).
        this.requestComplete = request instanceof LastHttpContent;
        String protocol = down.http2() ? "HTTP/2" : request.protocolVersion().text();
        this.ctx = new RequestContext(request, client, clientIp, down.secure(), protocol);
        this.filters = new FilterRunner(this, ctx, down.loop(), engine.metrics());
    }

    public RequestContext context() {
        return ctx;
    }

    // ---------------------------------------------------------------- request head

    /** Runs everything up to choosing an endpoint; ends in a connection request or a direct answer. */
    public void start() {
        // This generation's listener settings: a reload may have changed limits since the connection opened.
        ListenerConfig current = snapshot.listener(down.listener().name());
        listener = current != null ? current : down.listener();
        // W3C trace context: an incoming trace is always continued; a new one is started only when
        // spans are exported (an id nobody records would cost every request for nothing).
        String traceparent = request.headers().get(StraitHeaders.TRACEPARENT);
        if (traceparent != null || engine.tracing().exporting()) {
            trace = engine.tracing().startServerSpan(traceparent, request.headers().get(StraitHeaders.TRACESTATE));
        }
        engine.metrics().downstreamRequestsActive().inc();
        long requestTimeout = down.listener().requestTimeout().toNanos();
        if (requestTimeout > 0 && !down.http2()) down.armDeadline(ctx.startNanos() + requestTimeout, requestTimeout);
        // A listener filter that suspends is bounded by the listener's request timeout, or a route's default.
        long bound = listener.requestTimeout().isZero() ? DEFAULT_ROUTE_TIMEOUT_NANOS : listener.requestTimeout().toNanos();
        filters.runListener(snapshot.listenerFilters(down.listener().name()), ctx.startNanos() + bound);
    }

    @Override
    public void filtersDone(boolean listenerStage) {
        if (done) return;
        if (listenerStage) route();
        else afterRouteFilters();
    }

    @Override
    public void filterAnswered(FilterResult.Respond answer) {
        if (done) return;
        abortUpstream();
        respond(answer);
    }

    @Override
    public boolean exchangeDone() {
        return done;
    }

    /** Normalizes the path, chooses the route and runs its filters. */
    private void route() {
        PathNormalizer.Result norm = PathNormalizer.normalize(request.uri(), listener.paths());
        if (!norm.ok()) {
            respondError(HttpResponseStatus.BAD_REQUEST, "bad_request", "invalid request path: " + norm.rejection());
            return;
        }
        path = norm.path();
        query = norm.query();
        ctx.query(query);
        host = hostOf(request.headers().get(HttpHeaderNames.HOST));
        RouteMatchResult match = snapshot.router().match(RouteRequest.of(host, method, path, query, request.headers()));
        if (match == null) {
            respondError(HttpResponseStatus.NOT_FOUND, "route_not_found", "no route for " + method + " " + path);
            return;
        }
        matched = match.route();
        route = snapshot.route(matched);
        ctx.routeName(route.name());
        if (!match.pathParams().isEmpty()) ctx.pathParams(match.pathParams());
        Long routeMax = route.maxRequestBodySize();
        maxBody = routeMax != null ? routeMax : listener.maxRequestBodySize();
        if (maxBody > 0 && HttpUtil.getContentLength(request, -1L) > maxBody) {
            respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                    "request body exceeds " + maxBody + " bytes");
            return;
        }
        filters.runRoute(route.filters(), routeDeadline());
    }

    /** When the route's timeout runs out: it runs from the request's arrival (0 for none). */
    private long routeDeadline() {
        return route.timeoutNanos() > 0 ? ctx.startNanos() + route.timeoutNanos() : 0;
    }

    /**
     * The route's filters let the request through: its body is read whole first when one of them reads
     * it ({@link RequestBodies}), else the request goes on streaming.
     */
    private void afterRouteFilters() {
        if (route.filters().requestBodyLimit() > 0 && !requestComplete && (down.http2() || !isBodiless())) {
            requestBody = RequestBodies.startCollecting(down, request);
            if (pendingContent != null) { // a chunk read ahead while the filters ran
                HttpContent c = pendingContent;
                pendingContent = null;
                onRequestContent(c);
            } else {
                down.read();
            }
            return;
        }
        forward();
    }

    private void forward() {
        if (route.cluster() == null) {
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no_cluster", "route " + route.name() + " has no cluster");
            return;
        }
        TrafficPolicy.Fault fault = route.config().traffic().fault();
        if (fault != null && injectFault(fault)) return;
        proceed();
    }

    /** The route's fault injection: true when it answered the request or delays it (then it goes on later). */
    private boolean injectFault(TrafficPolicy.Fault fault) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (fault.abortPercent() > 0 && rnd.nextDouble() * 100 < fault.abortPercent()) {
            respondError(HttpResponseStatus.valueOf(fault.abortStatus()), "fault_injected",
                    "fault injected by route " + route.name());
            return true;
        }
        if (fault.delay() != null && fault.delayPercent() > 0 && rnd.nextDouble() * 100 < fault.delayPercent()) {
            down.loop().schedule(() -> {
                if (!done) proceed();
            }, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
            return true;
        }
        return false;
    }

    /** Admits the request to its cluster and makes the first attempt. */
    private void proceed() {
        Cluster cluster = route.cluster();
        resilience = cluster.resilience();
        if (resilience.tryRequest() != ClusterResilience.Admission.OK) {
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream_overloaded",
                    "too many requests in flight to cluster " + cluster.name());
            return;
        }
        requestAdmitted = true;
        lb = LbContext.of(request.headers(), ctx.clientIp());
        retry = route.config().retries();
        // A body is kept only when a retry could need it again: not for refused connections alone
        // (nothing was sent), which is all a route without a retries block retries.
        if (retry.attempts() > 0 && (!requestComplete || pendingContent != null) && retriesSentRequests(retry)
                && (retry.nonIdempotent() || IDEMPOTENT.contains(method))) {
            keepBody = true;
        }
        upstreamH2 = cluster.config().protocol() == ClusterConfig.UpstreamProtocol.H2C;
        prepareUpstreamHead();
        TrafficPolicy.Mirror m = route.config().traffic().mirror();
        if (m != null && route.mirror() != null && ThreadLocalRandom.current().nextDouble() * 100 < m.percent()) {
            mirror = MirrorCall.start(request, requestComplete && pendingContent == null, route.mirror(), lb, engine.pools(),
                    down.loop());
        }
        upstreamStartNanos = System.nanoTime();
        overallDeadline = routeDeadline();
        startAttempt();
    }

    private void startAttempt() {
        attempt++;
        if (resilience.tryAttempt() != ClusterResilience.Admission.OK) {
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "circuit_open",
                    "the circuit breaker of cluster " + route.cluster().name() + " is open");
            return;
        }
        attemptOpen = true;
        endpoint = selectEndpoint();
        if (endpoint == null) {
            endAttempt(AttemptResult.CANCELLED);
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no_healthy_upstream",
                    "no healthy endpoint in cluster " + route.cluster().name());
            return;
        }
        endpoint.requestStarted();
        endpointActive = true;
        requestSent = false;
        informational = false;
        HttpHeaders h = request.headers();
        h.set(StraitHeaders.ATTEMPT_COUNT, attempt < ATTEMPT_VALUES.length ? ATTEMPT_VALUES[attempt] : Integer.toString(attempt));
        long now = System.nanoTime();
        long due = overallDeadline;
        if (retry.perTryTimeout() != null) {
            long tryDue = now + retry.perTryTimeout().toNanos();
            if (due == 0 || tryDue - due < 0) due = tryDue;
        }
        upstreamDeadline = due;
        if (due != 0) down.armDeadline(due, due - now);
        // Strait's own header: what a client sent is never passed on (a client must not set another's deadline)
        if (route.config().timeoutHeader() && due != 0) {
            h.set(StraitHeaders.TIMEOUT_MS, Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toMillis(due - now))));
        } else if (attempt == 1) {
            h.remove(StraitHeaders.TIMEOUT_MS);
        }
        PoolCallback a = attempt == 1 ? this : new Attempt(); // no allocation for the first try
        acquiring = a;
        engine.pools().pool(endpoint, route.cluster().config()).acquire(down.loop(), a);
    }

    /**
     * The endpoint the route's traffic policy and the balancer choose; a retry asks again (a few
     * times) for one other than the endpoint that failed.
     */
    private Endpoint selectEndpoint() {
        Endpoint e = route.traffic().select(lb);
        for (int i = 0; i < RESELECT_TRIES && e != null && e == previousEndpoint; i++) e = route.traffic().select(lb);
        if (e != null && e == previousEndpoint) e = anotherHealthy(e);
        return e;
    }

    /**
     * A healthy endpoint other than {@code failed} in the subset serving this request, from a random
     * start, when the balancer keeps choosing the failed one (random or hashing balancers); else {@code failed}.
     */
    private Endpoint anotherHealthy(Endpoint failed) {
        List<Endpoint> all = route.traffic().pick(lb).endpoints();
        int n = all.size();
        int start = n == 0 ? 0 : ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < n; i++) {
            Endpoint o = all.get((start + i) % n);
            if (o != failed && o.healthy()) return o;
        }
        return failed;
    }

    /** Reports the attempt's result to the cluster (breaker, outlier detection) once, and frees its retry permit. */
    private void endAttempt(AttemptResult result) {
        if (attemptOpen) {
            attemptOpen = false;
            resilience.attemptDone(endpoint, result);
        }
        if (retryInFlight) {
            retryInFlight = false;
            resilience.retryDone();
        }
    }

    /** The endpoint no longer serves this exchange (least-request counts it out). */
    private void releaseEndpoint() {
        if (endpointActive) {
            endpointActive = false;
            endpoint.requestFinished();
        }
    }

    /**
     * Whether an attempt that failed with {@code result} (and {@code status}, for a response) before
     * anything reached the client may be retried; when it may, a retry permit of the budget is taken.
     */
    private boolean retryable(AttemptResult result, int status) {
        if (done || responseStarted || attempt > retry.attempts() || !retryOn(result, status)) return false;
        if (result != AttemptResult.CONNECT_FAILURE) {
            // The upstream may have seen the request: only an idempotent one is sent again (unless the
            // route says otherwise), and only without a body, which is streamed, not kept for a replay.
            if (!retry.nonIdempotent() && !IDEMPOTENT.contains(method)) return false;
            if (!requestComplete || (bytesIn > 0 && replay == null)) return false;
        }
        if (overallDeadline != 0 && System.nanoTime() - overallDeadline >= 0) return false;
        return resilience.tryRetry(retry);
    }

    /** Whether the policy retries failures after the request was sent (anything but refused connections). */
    private static boolean retriesSentRequests(RetryPolicy p) {
        Set<RetryPolicy.RetryOn> on = p.retryOn();
        return !p.statusCodes().isEmpty() || on.size() > (on.contains(RetryPolicy.RetryOn.CONNECT_FAILURE) ? 1 : 0);
    }

    private boolean retryOn(AttemptResult result, int status) {
        Set<RetryPolicy.RetryOn> on = retry.retryOn();
        boolean any5xx = on.contains(RetryPolicy.RetryOn.FIVE_XX);
        boolean gateway = any5xx || on.contains(RetryPolicy.RetryOn.GATEWAY_ERROR);
        return switch (result) {
            case OK -> retry.statusCodes().contains(status);
            case SERVER_ERROR -> any5xx || retry.statusCodes().contains(status);
            case GATEWAY_ERROR -> gateway || retry.statusCodes().contains(status);
            case CONNECT_FAILURE -> gateway || on.contains(RetryPolicy.RetryOn.CONNECT_FAILURE);
            case RESET -> gateway || on.contains(RetryPolicy.RetryOn.RESET);
            case TIMEOUT -> gateway;
            case CANCELLED -> false;
        };
    }

    /** Starts the next attempt after the backoff; only the route's overall timeout runs meanwhile. */
    private void retryAfterBackoff(AttemptResult reason) {
        route.metrics().retry(reasonLabel(reason));
        retryInFlight = true;
        previousEndpoint = endpoint;
        upstreamDeadline = overallDeadline;
        long delay = Backoff.delayNanos(attempt, retry.backoffBase(), retry.backoffMax(), ThreadLocalRandom.current());
        down.loop().schedule(() -> {
            if (!done) startAttempt();
        }, delay, TimeUnit.NANOSECONDS);
    }

    private static String reasonLabel(AttemptResult r) {
        return switch (r) {
            case SERVER_ERROR -> "5xx";
            case GATEWAY_ERROR -> "gateway_error";
            case CONNECT_FAILURE -> "connect_failure";
            case RESET -> "reset";
            case TIMEOUT -> "timeout";
            case OK -> "status";
            case CANCELLED -> "cancelled";
        };
    }

    /** One attempt's connection request: answers to a request an earlier attempt made are let go. */
    private final class Attempt implements PoolCallback {
        @Override
        public void onAcquired(UpstreamConnection connection) {
            acquiredFor(this, connection);
        }

        @Override
        public void onAcquireFailed(Throwable cause) {
            acquireFailedFor(this, cause);
        }
    }

    /** The first attempt's connection. */
    @Override
    public void onAcquired(UpstreamConnection connection) {
        acquiredFor(this, connection);
    }

    @Override
    public void onAcquireFailed(Throwable cause) {
        acquireFailedFor(this, cause);
    }

    private void acquiredFor(PoolCallback request, UpstreamConnection connection) {
        if (acquiring != request || done) {
            connection.release();
            return;
        }
        acquiring = null;
        acquired(connection);
    }

    private void acquireFailedFor(PoolCallback request, Throwable cause) {
        if (acquiring != request || done) return;
        acquiring = null;
        acquireFailed(cause);
    }

    /** Rewrites the client's head in place into the upstream request: it is ours alone. */
    private void prepareUpstreamHead() {
        HttpHeaders h = request.headers();
        webSocket = !down.http2() && HopByHop.isWebSocketUpgrade(h);
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        HopByHop.strip(h, webSocket);
        // Expect: 100-continue is answered here, when the body can go somewhere (onAcquired);
        // the upstream does not see it (nginx and Envoy do the same).
        expectContinue = !down.http2() && !requestComplete && HttpUtil.is100ContinueExpected(request);
        if (expectContinue) h.remove(HttpHeaderNames.EXPECT);
        if (down.http2()) removeHttp2Extensions(h);
        // Body framing towards an HTTP/1.1 upstream: keep a Content-Length, otherwise stream chunked.
        // HTTP/2 frames bodies itself.
        if (!upstreamH2 && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (chunked || (down.http2() && !requestComplete)) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        query = ctx.query(); // a filter may have changed it (e.g. removed a credential parameter)
        String target = route.config().rewrite() == null ? path : matched.rewritePath(path);
        request.setUri(query == null ? target : target + "?" + query);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (route.config().rewrite() != null && route.config().rewrite().host() != null) {
            h.set(HttpHeaderNames.HOST, route.config().rewrite().host());
        }
        if (trace != null) h.set(StraitHeaders.TRACEPARENT, engine.tracing().traceparentForUpstream(trace));
    }

    /** Netty's HTTP/2 to HttpObject conversion carries stream details as x-http2-* headers: never forward them. */
    private static void removeHttp2Extensions(HttpHeaders h) {
        for (HttpConversionUtil.ExtensionHeaderNames ext : HttpConversionUtil.ExtensionHeaderNames.values()) {
            h.remove(ext.text());
        }
    }

    // ---------------------------------------------------------------- upstream connection

    private void acquired(UpstreamConnection connection) {
        upstream = connection;
        connection.attach(this);
        if (requestComplete && request instanceof LastHttpContent) {
            // an HTTP/2 request that came whole: the exchange keeps its own reference for a retry
            connection.writeAndFlush(ReferenceCountUtil.retain(request));
            requestSent = true;
            return;
        }
        connection.write(request);
        if (expectContinue) {
            expectContinue = false;
            down.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            down.flush();
        }
        HttpContent pending = pendingContent;
        pendingContent = null;
        if (pending != null) {
            writeRequestContent(pending);
        } else if (!requestComplete) {
            connection.channel().flush();
            down.read();
        } else if (replay != null && !replay.isEmpty()) {
            // a retry: the kept body goes again (duplicates, so it can go once more)
            for (HttpContent c : replay) connection.write(c.retainedDuplicate());
            connection.channel().flush();
            requestSent = true;
        } else {
            // a retry of a bodiless request whose end the client sent long ago
            connection.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            requestSent = true;
        }
    }

    private void acquireFailed(Throwable cause) {
        releaseEndpoint();
        if (cause instanceof PoolOverflowException) {
            endAttempt(AttemptResult.CANCELLED);
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream_overloaded",
                    "too many requests waiting for " + endpoint.id());
            return;
        }
        endAttempt(AttemptResult.CONNECT_FAILURE);
        if (retryable(AttemptResult.CONNECT_FAILURE, 0)) {
            retryAfterBackoff(AttemptResult.CONNECT_FAILURE);
        } else if (cause instanceof ConnectTimeoutException) {
            respondError(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_connect_timeout",
                    "connecting to " + endpoint.id() + " timed out");
        } else {
            respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream_connect_failure",
                    "cannot connect to " + endpoint.id());
        }
    }

    // ---------------------------------------------------------------- request body

    /** A body chunk from the client; the exchange owns it. */
    public void onRequestContent(HttpContent content) {
        bytesIn += content.content().readableBytes();
        if (content instanceof LastHttpContent) requestComplete = true;
        if (done || deferredError != null) {
            content.release();
            if (deferredError != null && requestComplete) sendDeferredError();
            else if (!requestComplete) down.read();
            return;
        }
        if (maxBody > 0 && bytesIn > maxBody) {
            content.release();
            requestComplete = false; // the rest of the body stays unread: the connection must close
            if (!responseStarted) {
                abortUpstream();
                respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                        "request body exceeds " + maxBody + " bytes");
            } else {
                fail("request body exceeds limit");
            }
            return;
        }
        if (requestBody != null) {
            collectRequestBody(content);
            return;
        }
        if (upstream == null) {
            pendingContent = content; // no more reads until the connection is there
            return;
        }
        writeRequestContent(content);
    }

    /** A chunk of a body the route's filters read whole; at its end they run, then the request goes on. */
    private void collectRequestBody(HttpContent content) {
        RequestBodies.Step step = RequestBodies.add(requestBody, content, route.filters());
        switch (step) {
            case MORE -> down.read();
            case OVER_LIMIT_REJECT -> {
                releaseRequestBody();
                requestComplete = false; // the rest of the body stays unread: the connection must close
                respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "request body exceeds "
                        + route.filters().requestBodyLimit() + " bytes, the most route " + route.name() + "'s filters read");
            }
            case OVER_LIMIT_PASS -> {
                // what was read goes first, then the rest streams; no body filter runs
                pendingContent = RequestBodies.asContent(requestBody, requestComplete);
                requestBody = null;
                forward();
            }
            case COMPLETE -> {
                MessageBody body = new MessageBody(requestBody);
                requestBody = null;
                FilterResult.Respond answer = filters.runRequestBody(body);
                if (answer != null) {
                    body.release();
                    respond(answer);
                    return;
                }
                pendingContent = RequestBodies.finish(request, body);
                forward();
            }
        }
    }

    private void releaseRequestBody() {
        if (requestBody != null) {
            requestBody.release();
            requestBody = null;
        }
    }

    private void writeRequestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (mirror != null) mirror.offer(content.retainedDuplicate());
        if (keepBody) keepForReplay(content);
        upstream.writeAndFlush(content);
        if (last) {
            requestSent = true;
        } else if (upstream.isWritable()) {
            down.read();
        } // else: onUpstreamWritabilityChanged resumes reading
    }

    /** Keeps a duplicate of a body chunk for a retry, until the body grows past {@link #RETRY_BUFFER_LIMIT}. */
    private void keepForReplay(HttpContent content) {
        int n = content.content().readableBytes();
        if (replay == null) {
            if (n == 0) return; // nothing yet (a bodiless request's end): a retry sends an empty end
            replay = new ArrayDeque<>(4);
        }
        replayBytes += n;
        if (replayBytes > RETRY_BUFFER_LIMIT) {
            dropReplay();
            return;
        }
        replay.add(content.retainedDuplicate());
    }

    private void dropReplay() {
        keepBody = false;
        if (replay == null) return;
        for (HttpContent c : replay) c.release();
        replay = null;
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable && !requestComplete && upstream != null && !done && pendingContent == null) down.read();
    }

    /**
     * The connection's timer fired (at {@code now}, System.nanoTime): runs what is due (the listener's
     * request timeout while the client still sends, the route's or the attempt's timeout, the response's
     * idle timeout) and returns when the timer must fire next, or 0 when nothing is left to watch.
     */
    public long onTimer(long now) {
        if (done) return 0;
        long next = 0;
        long requestTimeout = down.listener().requestTimeout().toNanos();
        if (requestTimeout > 0 && !requestComplete) {
            // Only the client's own slowness in sending the request is checked here (408).
            long due = ctx.startNanos() + requestTimeout;
            if (now - due >= 0) onRequestTimeout();
            else next = due;
        }
        if (done) return 0;
        long upstreamDue = upstreamDeadline;
        if (upstreamDue != 0) {
            if (now - upstreamDue >= 0) onUpstreamDeadline();
            else next = next == 0 || upstreamDue - next < 0 ? upstreamDue : next;
        }
        return done ? 0 : next;
    }

    /** The client took longer than the listener's requestTimeout to send its request: 408. */
    private void onRequestTimeout() {
        if (done) return;
        abortUpstream();
        if (!responseStarted) {
            respondError(HttpResponseStatus.REQUEST_TIMEOUT, "request_timeout",
                    "request not received within " + down.listener().requestTimeout().toMillis() + "ms");
        } else {
            fail("request timeout");
        }
    }

    /** The client's request body could not be decoded (bad chunk): nothing more can be forwarded. */
    public void onRequestBodyError(int code, String errorCode, String message) {
        if (done) return;
        abortUpstream();
        if (!responseStarted) {
            respondError(HttpResponseStatus.valueOf(code), errorCode, message);
        } else {
            fail(message);
        }
    }

    // ---------------------------------------------------------------- response

    @Override
    public void onUpstreamMessage(Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (discarding) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) endDiscard();
            return;
        }
        if (msg instanceof HttpResponse res) {
            if (onResponseHead(res) && msg instanceof HttpContent content) onResponseContent(content);
        } else if (msg instanceof HttpContent content) {
            onResponseContent(content);
        } else if (msg instanceof ByteBuf raw) {
            down.write(raw); // bytes after a 101, before the tunnel takes over
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Returns false when the head ended the exchange or its attempt: then {@code res} was released. */
    private boolean onResponseHead(HttpResponse res) {
        if (!res.decoderResult().isSuccess()) {
            ReferenceCountUtil.release(res);
            badUpstreamResponse(res.decoderResult().cause());
            return false;
        }
        int code = res.status().code();
        HttpHeaders h = res.headers();
        if (code >= 100 && code < 200 && code != 101) {
            // 100 Continue and friends: passed on whole (HTTP/2 sends them as one HEADERS frame); the
            // upstream's empty end-of-message that follows is swallowed; the real response comes next.
            informational = true;
            HopByHop.strip(h, false);
            if (upstreamH2) removeHttp2Extensions(h);
            down.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, res.status(), Unpooled.EMPTY_BUFFER, h,
                    EmptyHttpHeaders.INSTANCE));
            down.flush();
            return true;
        }
        AttemptResult result = AttemptResult.ofStatus(code);
        endAttempt(result);
        if ((result != AttemptResult.OK || !retry.statusCodes().isEmpty()) && retryable(result, code)) {
            discard(res, result);
            return false;
        }
        cancelTimeout();
        Duration idle = route.config().idleTimeout();
        if (idle != null) {
            lastResponseNanos = System.nanoTime();
            upstreamDeadline = lastResponseNanos + idle.toNanos();
            down.armDeadline(upstreamDeadline, idle.toNanos());
        }
        responseStarted = true;
        status = code;
        upstreamNanos = System.nanoTime() - upstreamStartNanos;
        upstreamKeepAlive = HttpUtil.isKeepAlive(res);
        boolean upgrade = code == 101 && webSocket;
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        HopByHop.strip(h, upgrade);
        if (upstreamH2) removeHttp2Extensions(h);
        if (!down.http2() && !upgrade) {
            boolean bodiless = request.method() == HttpMethod.HEAD || code == 204 || code == 304;
            if (down.closeAfterResponse() || !clientKeepAlive) responseKeepAlive = false;
            if (!hasLength && !bodiless) {
                if (clientVersion == HttpVersion.HTTP_1_0) {
                    responseKeepAlive = false; // HTTP/1.0: the end of the body is the end of the connection
                } else {
                    h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                }
            }
            if (!responseKeepAlive) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        res.setProtocolVersion(HttpVersion.HTTP_1_1);
        h.set(StraitHeaders.REQUEST_ID, ctx.requestId());
        ctx.applyResponseHeaders(h);
        long limit = filters.responseBodyLimit();
        if (limit > 0 && !upgrade && request.method() != HttpMethod.HEAD && code != 204 && code != 304) {
            if (HttpUtil.getContentLength(res, -1L) > limit && filters.rejectsLongResponse()) {
                ReferenceCountUtil.release(res);
                responseTooLong(limit);
                return false;
            }
            // read the body whole before any filter sees the head; the content of a whole response comes next
            heldResponse = res instanceof HttpContent ? new DefaultHttpResponse(res.protocolVersion(), res.status(), h) : res;
            responseBody = down.channel().alloc().compositeBuffer(64);
            responseBodyLimit = limit;
            return true;
        }
        if (!responseFilters(res, null)) {
            ReferenceCountUtil.release(res);
            return false;
        }
        down.write(res);
        return true;
    }

    /**
     * The upstream's response is malformed (see docs/http-hardening.md): 502 when nothing of it reached
     * the client, else the client's connection is cut (or its stream reset). The upstream connection is
     * closed either way, never reused.
     */
    private void badUpstreamResponse(Throwable cause) {
        if (done) return;
        abortUpstream();
        if (heldResponse != null) { // held for the filters: nothing of it reached the client yet
            releaseResponseBody();
            responseStarted = false;
        }
        String why = cause instanceof io.strait.proxy.endpoint.InvalidResponseException ? ": " + cause.getMessage() : "";
        if (responseStarted) {
            fail("invalid response from upstream" + why);
        } else if (deferredError == null) {
            endAttempt(AttemptResult.RESET); // counted by outlier detection and the breaker, never retried
            respondError(HttpResponseStatus.BAD_GATEWAY, "bad_upstream_response", "invalid response from " + endpoint.id() + why);
        }
    }

    /** The response callbacks of the filters; false when one failed (the client got a 500 instead). */
    private boolean responseFilters(HttpResponse res, MessageBody body) {
        FilterResult.Respond failed = filters.runResponse(res, body);
        if (failed == null) return true;
        if (body != null) body.release();
        abortUpstream();
        responseStarted = false;
        respond(failed);
        return false;
    }

    /** A response body longer than the filters read, on a route whose filters refuse it: 502. */
    private void responseTooLong(long limit) {
        abortUpstream();
        responseStarted = false;
        respondError(HttpResponseStatus.BAD_GATEWAY, "response_too_large", "the response of " + endpoint.id()
                + " exceeds " + limit + " bytes, the most route " + route.name() + "'s filters read");
    }

    /** A chunk of a response the filters read whole; at its end they run, and the whole response goes out. */
    private void collectResponseBody(HttpContent content) {
        ByteBuf bytes = content.content();
        boolean last = content instanceof LastHttpContent;
        if ((long) responseBody.readableBytes() + bytes.readableBytes() > responseBodyLimit) {
            if (filters.rejectsLongResponse()) {
                content.release();
                releaseResponseBody();
                responseTooLong(responseBodyLimit);
                return;
            }
            // too long for the filters: relayed unchanged, what was read first, then the rest streams
            HttpResponse head = heldResponse;
            ByteBuf read = responseBody;
            heldResponse = null;
            responseBody = null;
            if (!responseFilters(head, null)) {
                read.release();
                content.release();
                return;
            }
            down.write(head);
            down.write(new DefaultHttpContent(read));
            onResponseContent(content);
            return;
        }
        if (bytes.isReadable()) responseBody.addComponent(true, bytes.retain());
        content.release();
        if (!last) return;
        HttpResponse head = heldResponse;
        MessageBody body = new MessageBody(responseBody);
        heldResponse = null;
        responseBody = null;
        if (!responseFilters(head, body)) return;
        ByteBuf whole = body.take();
        head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, whole.readableBytes());
        bytesOut += whole.readableBytes();
        down.write(head);
        writeLastResponseContent(new DefaultLastHttpContent(whole));
    }

    private void releaseResponseBody() {
        heldResponse = null;
        if (responseBody != null) {
            responseBody.release();
            responseBody = null;
        }
    }

    /** A response that will be retried: read to its end, then the connection goes back to the pool. */
    private void discard(HttpResponse res, AttemptResult reason) {
        discarding = true;
        retryReason = reason;
        upstreamDeadline = overallDeadline;
        upstreamKeepAlive = HttpUtil.isKeepAlive(res);
        boolean last = res instanceof LastHttpContent;
        ReferenceCountUtil.release(res);
        if (last) endDiscard();
    }

    private void endDiscard() {
        discarding = false;
        if (upstream != null) {
            if (upstreamKeepAlive && requestSent) upstream.release();
            else upstream.discard();
            upstream = null;
        }
        releaseEndpoint();
        retryAfterBackoff(retryReason);
    }

    private void onResponseContent(HttpContent content) {
        if (!content.decoderResult().isSuccess()) {
            content.release();
            badUpstreamResponse(content.decoderResult().cause());
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (lastResponseNanos != 0) lastResponseNanos = System.nanoTime();
        if (informational) {
            if (last) informational = false;
            content.release();
            return;
        }
        if (heldResponse != null) {
            collectResponseBody(content);
            return;
        }
        bytesOut += content.content().readableBytes();
        if (!last) {
            down.write(content);
            if (!down.isWritable() && !upstreamPaused) {
                upstreamPaused = true;
                upstream.autoRead(false);
            }
            return;
        }
        if (status == 101 && webSocket) {
            content.release();
            down.flush();
            tunnel();
            return;
        }
        writeLastResponseContent(content);
    }

    private void writeLastResponseContent(HttpContent content) {
        down.write(content);
        down.flush();
        if (!requestSent) {
            // The upstream answered before the client finished sending: the rest of the request
            // can go nowhere, so neither connection can be reused.
            upstreamKeepAlive = false;
            responseKeepAlive = false;
        }
        finish();
    }

    @Override
    public void onUpstreamReadComplete() {
        down.flush();
    }

    /** The client can take more: resume reading the upstream. */
    public void onDownstreamWritable() {
        if (upstreamPaused && upstream != null && !done) {
            upstreamPaused = false;
            upstream.autoRead(true);
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (done) return;
        upstream = null;
        if (discarding) {
            discarding = false;
            releaseEndpoint();
            retryAfterBackoff(retryReason);
            return;
        }
        if (!responseStarted) {
            cancelTimeout();
            releaseEndpoint();
            endAttempt(AttemptResult.RESET);
            if (retryable(AttemptResult.RESET, 0)) {
                retryAfterBackoff(AttemptResult.RESET);
                return;
            }
            respondError(HttpResponseStatus.BAD_GATEWAY, "upstream_reset",
                    "connection to " + endpoint.id() + " closed before a response");
        } else {
            fail("upstream closed mid-response");
        }
    }

    /**
     * The downstream's timer found {@link #upstreamDeadline()} passed: the route's timeout (504), the
     * attempt's (retried or 504), or the response's idle timeout (the exchange is cut).
     */
    private void onUpstreamDeadline() {
        upstreamDeadline = 0;
        if (done) return;
        long now = System.nanoTime();
        if (responseStarted) {
            onIdleCheck(now);
            return;
        }
        abortUpstream();
        releaseEndpoint();
        endAttempt(AttemptResult.TIMEOUT);
        boolean overall = overallDeadline != 0 && now - overallDeadline >= 0;
        if (overall) {
            respondError(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_timeout", "no response from cluster "
                    + route.cluster().name() + " within " + TimeUnit.NANOSECONDS.toMillis(route.timeoutNanos()) + "ms");
        } else if (retryable(AttemptResult.TIMEOUT, 0)) {
            retryAfterBackoff(AttemptResult.TIMEOUT);
        } else {
            Duration perTry = retry.perTryTimeout();
            respondError(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_timeout", "no response from "
                    + (endpoint == null ? "cluster " + route.cluster().name() : endpoint.id())
                    + (perTry == null ? "" : " within the per-try timeout of " + perTry.toMillis() + "ms"));
        }
    }

    /** The response has not moved for the route's idle timeout: cut it (unless the client is the slow side). */
    private void onIdleCheck(long now) {
        Duration idle = route.config().idleTimeout();
        if (idle == null || lastResponseNanos == 0) return;
        long due = lastResponseNanos + idle.toNanos();
        if (now - due >= 0 && !upstreamPaused) {
            fail("response idle for " + idle.toMillis() + "ms");
            return;
        }
        upstreamDeadline = now - due >= 0 ? now + idle.toNanos() : due;
        down.armDeadline(upstreamDeadline, idle.toNanos());
    }

    private void cancelTimeout() {
        upstreamDeadline = 0;
    }

    // ---------------------------------------------------------------- endings

    /** The client went away: drop the upstream side. */
    public void onDownstreamClosed() {
        if (done) return;
        error = "client_closed";
        if (status == 0) status = 499;
        abortUpstream();
        endAttempt(AttemptResult.CANCELLED);
        complete(false);
    }

    private void tunnel() {
        UpstreamConnection u = upstream;
        upstream = null;
        u.detach();
        down.becomeTunnel(u.channel());
        complete(false);
    }

    private void finish() {
        if (upstream != null) {
            if (upstreamKeepAlive && requestSent) upstream.release();
            else upstream.discard();
            upstream = null;
        }
        complete(responseKeepAlive && requestComplete);
    }

    /** Something broke after the response began: the client sees a cut connection or a reset stream. */
    private void fail(String why) {
        error = why;
        abortUpstream();
        responseKeepAlive = false;
        complete(false);
    }

    private void abortUpstream() {
        cancelTimeout();
        acquiring = null;
        discarding = false;
        if (upstream != null) {
            upstream.discard();
            upstream = null;
        }
        if (pendingContent != null) {
            pendingContent.release();
            pendingContent = null;
        }
    }

    /** A filter's answer: its JSON error, with the filter's headers. */
    private void respond(FilterResult.Respond r) {
        respondError(r.status(), r.error(), r.message(), r.headers());
    }

    /** Answers the client with Strait's own JSON error; the upstream, if any, is already let go. */
    private void respondError(HttpResponseStatus st, String code, String message) {
        respondError(st, code, message, List.of());
    }

    private void respondError(HttpResponseStatus st, String code, String message, List<Map.Entry<String, String>> headers) {
        cancelTimeout();
        status = st.code();
        error = code;
        FullHttpResponse res = ErrorResponse.create(down.channel().alloc(), st, code, message, ctx.requestId());
        for (Map.Entry<String, String> h : headers) res.headers().add(h.getKey(), h.getValue());
        filters.runLocalReply(res);
        if (!requestComplete && !down.http2() && isBodiless()) {
            // The empty body is still in the decoder: read it, then answer on a reusable connection.
            deferredError = res;
            down.read();
            return;
        }
        sendError(res);
    }

    private boolean isBodiless() {
        return !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
    }

    private void sendDeferredError() {
        FullHttpResponse res = deferredError;
        deferredError = null;
        sendError(res);
    }

    private void sendError(FullHttpResponse res) {
        boolean reusable = requestComplete && !down.closeAfterResponse() && clientKeepAlive;
        if (!reusable && !down.http2()) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        bytesOut += res.content().readableBytes();
        responseStarted = true;
        down.write(res);
        down.flush();
        complete(reusable);
    }

    private void complete(boolean reusable) {
        if (done) return;
        done = true;
        cancelTimeout();
        if (pendingContent != null) {
            pendingContent.release();
            pendingContent = null;
        }
        acquiring = null;
        filters.close();
        releaseRequestBody();
        releaseResponseBody();
        if (mirror != null) mirror.realRequestAborted();
        dropReplay();
        endAttempt(AttemptResult.CANCELLED);
        releaseEndpoint();
        if (requestAdmitted) {
            requestAdmitted = false;
            resilience.requestDone();
        }
        ReferenceCountUtil.release(request); // an HTTP/2 FullHttpRequest: each write took its own reference
        engine.metrics().downstreamRequestsActive().dec();
        long duration = System.nanoTime() - ctx.startNanos();
        if (route != null) route.metrics().record(status, duration, upstreamNanos);
        else engine.unroutedMetrics().record(status, duration, -1);
        boolean spanExported = trace != null && engine.tracing().exporting();
        if (!engine.accessLog().enabled() && !spanExported) {
            down.exchangeDone(this, reusable);
            return;
        }
        ExchangeRecord rec = new ExchangeRecord(ctx.startEpochMillis(), ctx.requestId(), ctx.clientIp(), method,
                host, path != null ? path : withoutQuery(request.uri()), ctx.protocol(), status, duration, upstreamNanos, bytesIn,
                bytesOut, route == null ? null : route.name(), route == null || route.cluster() == null ? null : route.cluster().name(),
                endpoint == null ? null : endpoint.id(), request.headers().get(HttpHeaderNames.USER_AGENT),
                trace == null ? null : trace.traceId(), error);
        engine.accessLog().log(rec);
        if (spanExported) engine.tracing().endSpan(trace, rec);
        down.exchangeDone(this, reusable);
    }

    /** The access log never records a query string: it may carry credentials (an API key parameter). */
    private static String withoutQuery(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    private static String hostOf(String hostHeader) {
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
