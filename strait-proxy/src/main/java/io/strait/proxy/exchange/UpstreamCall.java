package io.strait.proxy.exchange;

import io.netty.channel.ConnectTimeoutException;
import io.strait.proxy.tls.UpstreamTlsException;
import io.strait.proxy.http.ReplyReason;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.TrafficPolicy;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.endpoint.PoolCallback;
import io.strait.proxy.endpoint.PoolOverflowException;
import io.strait.proxy.endpoint.UpstreamConnection;
import io.strait.proxy.endpoint.UpstreamListener;
import io.strait.proxy.http.StraitHeaders;
import io.strait.proxy.resilience.AttemptResult;
import io.strait.proxy.resilience.Backoff;
import io.strait.proxy.resilience.ClusterResilience;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The upstream call of one exchange, made of attempts. The request is admitted to its cluster once
 * ({@code maxRequests}); each attempt is admitted by the circuit breaker, gets an endpoint from the
 * route's traffic policy and the balancer (a retry asks again for one other than the endpoint that
 * failed), and asks that endpoint's pool for a connection. An attempt that fails before its response
 * starts (a refused or reset connection, a per-try timeout, a retriable status) is retried, after a
 * backoff, when the route's {@link RetryPolicy} and the cluster's retry budget allow it
 * ({@link RetryRules}). Every attempt's result feeds the cluster's circuit breaker and outlier detection.
 *
 * <p>It is also what the pool and the upstream connection call back: the first attempt's connection
 * request ({@link PoolCallback}; a retry's request has its own {@link Attempt}, so a late answer to an
 * earlier one is let go) and the connection's events ({@link UpstreamListener}), handed to the pumps.
 */
final class UpstreamCall implements PoolCallback, UpstreamListener {
    /** How often a retry asks the balancer again for an endpoint other than the one that failed (Envoy's previous-hosts). */
    private static final int RESELECT_TRIES = 3;
    /** Attempt-count header values, made once: attempts are 1 + at most 10 retries. */
    private static final AsciiString[] ATTEMPT_VALUES = new AsciiString[12];

    static {
        for (int i = 1; i < ATTEMPT_VALUES.length; i++) ATTEMPT_VALUES[i] = AsciiString.cached(Integer.toString(i));
    }

    private final ProxyExchange x;
    private ClusterResilience resilience;
    RetryPolicy retry;
    /** Whether the upstream speaks HTTP/2 (h2c): it frames bodies itself and adds x-http2-* headers. */
    boolean upstreamH2;
    private int attempt;
    /** The current attempt's endpoint (the last one once the call is over), or null before the first. */
    Endpoint endpoint;
    /** The current attempt's connection, or null while there is none. */
    UpstreamConnection connection;
    /**
     * The callback of the current attempt's connection request (this call for the first attempt, an
     * {@link Attempt} for a retry), or null; a late answer to an earlier one is let go.
     */
    private PoolCallback acquiring;
    private Endpoint previousEndpoint;
    private boolean requestAdmitted;
    private boolean attemptOpen;
    private boolean endpointActive;
    private boolean retryInFlight;
    /** The current attempt's client span (sampled requests only): its id, start, upstream status and failure. */
    private String spanId;
    private long spanStartNanos;
    private int spanStatus;
    private String spanError;

    UpstreamCall(ProxyExchange x) {
        this.x = x;
    }

    /** Admits the request to its cluster, rewrites its head for the upstream and makes the first attempt. */
    void start() {
        Cluster cluster = x.route.cluster();
        resilience = cluster.resilience();
        if (resilience.tryRequest() != ClusterResilience.Admission.OK) {
            x.reply().error(ReplyReason.UPSTREAM_OVERFLOW, HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream_overloaded",
                    "too many requests in flight to cluster " + cluster.name());
            return;
        }
        requestAdmitted = true;
        x.lb = x; // the exchange is the balancer's view of the request
        retry = x.route.config().retries();
        x.requestPump.keepBodyFor(retry);
        upstreamH2 = cluster.config().protocol() != null && cluster.config().protocol().http2();
        UpstreamHead.prepare(x);
        TrafficPolicy.Mirror m = x.route.config().traffic().mirror();
        if (m != null && x.route.mirror() != null && ThreadLocalRandom.current().nextDouble() * 100 < m.percent()) {
            x.mirror = MirrorCall.start(x.request, x.requestPump.whole(), x.route.mirror(), x.lb, x.engine.pools(), x.down.loop());
        }
        x.recorder.upstreamStartNanos = System.nanoTime();
        x.deadlines.startCall();
        startAttempt();
    }

    private void startAttempt() {
        attempt++;
        if (resilience.tryAttempt() != ClusterResilience.Admission.OK) {
            x.reply().error(ReplyReason.BREAKER_OPEN, HttpResponseStatus.SERVICE_UNAVAILABLE, "circuit_open",
                    "the circuit breaker of cluster " + x.route.cluster().name() + " is open");
            return;
        }
        attemptOpen = true;
        endpoint = selectEndpoint();
        if (endpoint == null) {
            endAttempt(AttemptResult.CANCELLED);
            x.reply().error(ReplyReason.NO_HEALTHY_UPSTREAM, HttpResponseStatus.SERVICE_UNAVAILABLE, "no_healthy_upstream",
                    "no healthy endpoint in cluster " + x.route.cluster().name());
            return;
        }
        endpoint.requestStarted();
        endpointActive = true;
        x.requestPump.sent = false;
        x.responsePump.attemptStarted();
        x.request.headers().set(StraitHeaders.ATTEMPT_COUNT,
                attempt < ATTEMPT_VALUES.length ? ATTEMPT_VALUES[attempt] : Integer.toString(attempt));
        if (x.trace != null) startSpan();
        // the first attempt starts as the call does: one clock read for both
        x.deadlines.startAttempt(retry, x.request.headers(), attempt,
                attempt == 1 ? x.recorder.upstreamStartNanos : System.nanoTime());
        PoolCallback a = attempt == 1 ? this : new Attempt(); // no allocation for the first try
        acquiring = a;
        x.engine.pools().pool(endpoint, x.route.cluster().config()).acquire(x.down.loop(), a);
    }

    /**
     * The endpoint the route's traffic policy and the balancer choose; a retry asks again (a few
     * times) for one other than the endpoint that failed.
     */
    private Endpoint selectEndpoint() {
        Endpoint e = x.route.traffic().select(x.lb);
        for (int i = 0; i < RESELECT_TRIES && e != null && e == previousEndpoint; i++) e = x.route.traffic().select(x.lb);
        if (e != null && e == previousEndpoint) e = anotherHealthy(e);
        return e;
    }

    /**
     * A healthy endpoint other than {@code failed} in the subset serving this request, from a random
     * start, when the balancer keeps choosing the failed one (random or hashing balancers); else {@code failed}.
     */
    private Endpoint anotherHealthy(Endpoint failed) {
        List<Endpoint> all = x.route.traffic().pick(x.lb).endpoints();
        int n = all.size();
        int start = n == 0 ? 0 : ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < n; i++) {
            Endpoint o = all.get((start + i) % n);
            if (o != failed && o.healthy()) return o;
        }
        return failed;
    }

    /** The attempt's client span: the upstream sees it as its parent in {@code traceparent}. */
    private void startSpan() {
        spanId = x.engine.tracing().newSpanId();
        spanStartNanos = System.nanoTime();
        spanStatus = 0;
        spanError = null;
        x.request.headers().set(StraitHeaders.TRACEPARENT, x.trace.traceparent(spanId));
    }

    /** The upstream answered the current attempt with {@code status} (its client span's status). */
    void attemptAnswered(int status) {
        spanStatus = status;
    }

    /** Ends the current attempt's client span, if it has one: when it is retried, or when the exchange ends. */
    private void endSpan() {
        if (spanId == null) return;
        long startEpoch = epochNanos(spanStartNanos);
        x.engine.tracing().endClientSpan(x.trace, spanId, x.method, x.route.cluster().name(), endpoint == null ? null : endpoint.id(),
                attempt, startEpoch, startEpoch + (System.nanoTime() - spanStartNanos), spanStatus,
                spanStatus == 0 && spanError == null && x.recorder.error != null ? x.recorder.error : spanError);
        spanId = null;
    }

    /** A System.nanoTime() instant on the wall clock, measured from the request's arrival (as the server span). */
    private long epochNanos(long nanoTime) {
        return TimeUnit.MILLISECONDS.toNanos(x.ctx.startEpochMillis()) + (nanoTime - x.ctx.startNanos());
    }

    /** Reports the attempt's result to the cluster (breaker, outlier detection) once, and frees its retry permit. */
    void endAttempt(AttemptResult result) {
        if (spanId != null && spanError == null && result.failure() && spanStatus == 0) spanError = RetryRules.label(result);
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
    void releaseEndpoint() {
        if (endpointActive) {
            endpointActive = false;
            endpoint.requestFinished();
        }
    }

    /**
     * Whether an attempt that failed with {@code result} (and {@code status}, for a response) before
     * anything reached the client may be retried; when it may, a retry permit of the budget is taken.
     */
    boolean retryable(AttemptResult result, int status) {
        if (x.done || x.responsePump.started || attempt > retry.attempts() || !RetryRules.retryOn(retry, result, status)) {
            return false;
        }
        if (result != AttemptResult.CONNECT_FAILURE) {
            // The upstream may have seen the request: only an idempotent one is sent again (unless the
            // route says otherwise), and only when its body can go again (kept, or never sent).
            if (!RetryRules.mayResend(retry, x.method)) return false;
            if (!x.requestPump.canResend()) return false;
        }
        if (x.deadlines.routePassed(System.nanoTime())) return false;
        return resilience.tryRetry(retry);
    }

    /** Starts the next attempt after the backoff; only the route's overall timeout runs meanwhile. */
    void retryAfterBackoff(AttemptResult reason) {
        if (spanError == null && spanStatus == 0) spanError = RetryRules.label(reason);
        endSpan();
        x.route.metrics().retry(RetryRules.label(reason));
        retryInFlight = true;
        previousEndpoint = endpoint;
        x.deadlines.betweenAttempts();
        long delay = Backoff.delayNanos(attempt, retry.backoffBase(), retry.backoffMax(), ThreadLocalRandom.current());
        x.down.loop().schedule(() -> {
            if (!x.done) startAttempt();
        }, delay, TimeUnit.NANOSECONDS);
    }

    /**
     * The attempt's deadline passed before its response head: the route's timeout ({@code routePassed},
     * 504) or the per-try timeout (retried, else 504).
     */
    void timedOut(boolean routePassed) {
        x.abortUpstream();
        releaseEndpoint();
        endAttempt(AttemptResult.TIMEOUT);
        if (routePassed) {
            x.reply().error(ReplyReason.TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_timeout", "no response from cluster "
                    + x.route.cluster().name() + " within " + TimeUnit.NANOSECONDS.toMillis(x.route.timeoutNanos()) + "ms");
        } else if (retryable(AttemptResult.TIMEOUT, 0)) {
            retryAfterBackoff(AttemptResult.TIMEOUT);
        } else {
            Duration perTry = retry.perTryTimeout();
            x.reply().error(ReplyReason.TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_timeout", "no response from "
                    + (endpoint == null ? "cluster " + x.route.cluster().name() : endpoint.id())
                    + (perTry == null ? "" : " within the per-try timeout of " + perTry.toMillis() + "ms"));
        }
    }

    // ---------------------------------------------------------------- connection requests

    /** One retry's connection request: answers to a request an earlier attempt made are let go. */
    private final class Attempt implements PoolCallback {
        @Override
        public void onAcquired(UpstreamConnection c) {
            acquiredFor(this, c);
        }

        @Override
        public void onAcquireFailed(Throwable cause) {
            acquireFailedFor(this, cause);
        }
    }

    /** The first attempt's connection. */
    @Override
    public void onAcquired(UpstreamConnection c) {
        acquiredFor(this, c);
    }

    @Override
    public void onAcquireFailed(Throwable cause) {
        acquireFailedFor(this, cause);
    }

    private void acquiredFor(PoolCallback request, UpstreamConnection c) {
        if (acquiring != request || x.done) {
            c.release();
            return;
        }
        acquiring = null;
        connection = c;
        c.attach(this);
        x.requestPump.sendTo(c);
    }

    private void acquireFailedFor(PoolCallback request, Throwable cause) {
        if (acquiring != request || x.done) return;
        acquiring = null;
        releaseEndpoint();
        if (cause instanceof PoolOverflowException) {
            endAttempt(AttemptResult.CANCELLED);
            x.reply().error(ReplyReason.UPSTREAM_OVERFLOW, HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream_overloaded", "too many requests waiting for " + endpoint.id());
            return;
        }
        endAttempt(AttemptResult.CONNECT_FAILURE);
        if (retryable(AttemptResult.CONNECT_FAILURE, 0)) {
            retryAfterBackoff(AttemptResult.CONNECT_FAILURE);
        } else if (cause instanceof UpstreamTlsException) {
            x.reply().error(ReplyReason.UPSTREAM_ERROR, HttpResponseStatus.BAD_GATEWAY, "upstream_tls_failure", cause.getMessage());
        } else if (cause instanceof ConnectTimeoutException) {
            x.reply().error(ReplyReason.TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_connect_timeout", "connecting to " + endpoint.id() + " timed out");
        } else {
            x.reply().error(ReplyReason.UPSTREAM_ERROR, HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream_connect_failure", "cannot connect to " + endpoint.id());
        }
    }

    // ---------------------------------------------------------------- the connection's events

    @Override
    public void onUpstreamMessage(Object msg) {
        x.responsePump.onMessage(msg);
    }

    @Override
    public void onUpstreamReadComplete() {
        x.down.flush();
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable && connection != null && !x.done) x.requestPump.onUpstreamWritable();
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (x.done) return;
        connection = null;
        if (x.responsePump.drainingForRetry) {
            x.responsePump.drainingForRetry = false;
            releaseEndpoint();
            retryAfterBackoff(x.responsePump.retryReason);
            return;
        }
        if (!x.responsePump.started) {
            x.deadlines.cancel();
            releaseEndpoint();
            endAttempt(AttemptResult.RESET);
            if (retryable(AttemptResult.RESET, 0)) {
                retryAfterBackoff(AttemptResult.RESET);
                return;
            }
            if (cause instanceof UpstreamTlsException) {
                x.reply().error(ReplyReason.UPSTREAM_ERROR, HttpResponseStatus.BAD_GATEWAY, "upstream_tls_failure", cause.getMessage());
            } else {
                x.reply().error(ReplyReason.UPSTREAM_ERROR, HttpResponseStatus.BAD_GATEWAY, "upstream_reset", "connection to " + endpoint.id() + " closed before a response");
            }
        } else {
            x.fail("upstream closed mid-response");
        }
    }

    // ---------------------------------------------------------------- endings

    /** The current connection is done with: back to its pool when {@code reusable}, else closed. */
    void letGoConnection(boolean reusable) {
        if (connection == null) return;
        if (reusable) connection.release();
        else connection.discard();
        connection = null;
    }

    /** Stops the upstream side: a pending connection request is let go, the connection closed. */
    void abort() {
        acquiring = null;
        letGoConnection(false);
    }

    /** The exchange is over: the attempt is reported, the endpoint and the cluster's admission let go. */
    void close() {
        acquiring = null;
        endAttempt(AttemptResult.CANCELLED);
        endSpan();
        releaseEndpoint();
        if (requestAdmitted) {
            requestAdmitted = false;
            resilience.requestDone();
        }
    }
}
