package io.strait.proxy.exchange;

import io.strait.config.model.RetryPolicy;
import io.strait.proxy.http.StraitHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Every timeout of one exchange, all counted in System.nanoTime: the listener's request timeout (the
 * client must have sent its whole request, else 408), the route's timeout (from the request's arrival
 * to the upstream's response head, else 504; it also bounds the filters' suspensions), the attempt's
 * per-try timeout (retried or 504) and the response's idle timeout (the exchange is cut).
 *
 * <p>No timer is scheduled here: the downstream connection has one timer for all its deadlines (a
 * Netty timer per request costs a priority-queue insert and removal). The exchange asks it to fire no
 * later than a deadline ({@link Downstream#armDeadline}); when it fires it calls {@link #onTimer},
 * which runs what is due and says when to fire next.
 */
final class Deadlines {
    /** What bounds a listener filter's suspension when the listener has no request timeout: a route's default timeout. */
    private static final long DEFAULT_ROUTE_TIMEOUT_NANOS = io.strait.config.load.ConfigLoader.DEFAULT_ROUTE_TIMEOUT.toNanos();

    private final ProxyExchange x;
    /**
     * When the upstream side is next due (System.nanoTime): the attempt's or the route's timeout, the
     * response's idle timeout, or 0 when none is running.
     */
    private long upstreamDue;
    /** When the route's whole upstream call must have its response head, or 0 for no limit. */
    private long routeDue;
    /** When the response last moved (head or chunk), while an idle timeout runs; else 0. */
    private long lastResponseNanos;
    /** When a suspended filter must have answered (the route's or listener's bound), or 0. */
    private long filtersDue;

    Deadlines(ProxyExchange x) {
        this.x = x;
    }

    /** The request arrived: its request timeout starts (HTTP/2 streams have it armed when they open). */
    void start() {
        long requestTimeout = x.down.listener().requestTimeout().toNanos();
        if (requestTimeout > 0 && !x.down.http2()) x.down.armDeadline(x.ctx.startNanos() + requestTimeout, requestTimeout);
    }

    /** What bounds a listener filter's suspension: the listener's request timeout, or a route's default. */
    long listenerFiltersDeadline() {
        Duration rt = x.listener.requestTimeout();
        return x.ctx.startNanos() + (rt.isZero() ? DEFAULT_ROUTE_TIMEOUT_NANOS : rt.toNanos());
    }

    /** When the route's timeout runs out: it runs from the request's arrival (0 for none). */
    long routeDeadline() {
        long timeout = x.route.timeoutNanos();
        return timeout > 0 ? x.ctx.startNanos() + timeout : 0;
    }

    /** A filter suspended: it must answer by {@code deadline}. */
    void filterSuspended(long deadline) {
        filtersDue = deadline;
        long now = System.nanoTime();
        x.down.armDeadline(deadline, Math.max(0, deadline - now));
    }

    /** The suspended filter answered (or the exchange ended). */
    void filterResumed() {
        filtersDue = 0;
    }

    /** The upstream call begins: the route's timeout bounds all its attempts together. */
    void startCall() {
        routeDue = routeDeadline();
    }

    /** Whether the route's timeout has passed. */
    boolean routePassed(long now) {
        return routeDue != 0 && now - routeDue >= 0;
    }

    /**
     * An attempt begins: it is due at the smaller of the route's and the per-try timeout. Tells the
     * upstream its remaining time when the route says so; what a client sent is never passed on (a
     * client must not set another's deadline). {@code now}: System.nanoTime() as the attempt starts.
     */
    void startAttempt(RetryPolicy retry, HttpHeaders upstreamHeaders, int attempt, long now) {
        long due = routeDue;
        if (retry.perTryTimeout() != null) {
            long tryDue = now + retry.perTryTimeout().toNanos();
            if (due == 0 || tryDue - due < 0) due = tryDue;
        }
        upstreamDue = due;
        if (due != 0) x.down.armDeadline(due, due - now);
        if (x.route.config().timeoutHeader() && due != 0) {
            upstreamHeaders.set(StraitHeaders.TIMEOUT_MS, Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toMillis(due - now))));
        } else if (attempt == 1) {
            upstreamHeaders.remove(StraitHeaders.TIMEOUT_MS);
        }
    }

    /** Between attempts (a backoff, a retriable response read to its end) only the route's timeout runs. */
    void betweenAttempts() {
        upstreamDue = routeDue;
    }

    /** The response head arrived: the attempt's timeouts stop; the route's idle timeout, if any, starts. */
    void responseStarted() {
        upstreamDue = 0;
        Duration idle = x.route.config().idleTimeout();
        if (idle != null) {
            lastResponseNanos = System.nanoTime();
            upstreamDue = lastResponseNanos + idle.toNanos();
            x.down.armDeadline(upstreamDue, idle.toNanos());
        }
    }

    /** A response chunk arrived: the idle timeout starts again. */
    void responseMoved() {
        if (lastResponseNanos != 0) lastResponseNanos = System.nanoTime();
    }

    /** No upstream timeout runs any more (a local reply, the end of the exchange). */
    void cancel() {
        upstreamDue = 0;
    }

    /** Runs what is due at {@code now}; returns when to be called next, or 0 when nothing is left to watch. */
    long onTimer(long now) {
        if (x.done) return 0;
        long next = 0;
        long requestTimeout = x.down.listener().requestTimeout().toNanos();
        if (requestTimeout > 0 && !x.requestPump.complete) {
            // Only the client's own slowness in sending the request is checked here (408).
            long due = x.ctx.startNanos() + requestTimeout;
            if (now - due >= 0) x.requestTimedOut();
            else next = due;
        }
        if (x.done) return 0;
        long fd = filtersDue;
        if (fd != 0) {
            if (now - fd >= 0) {
                filtersDue = 0;
                x.filters.suspensionDue();
                if (x.done) return 0;
            } else {
                next = next == 0 || fd - next < 0 ? fd : next;
            }
        }
        long due = upstreamDue;
        if (due != 0) {
            if (now - due >= 0) {
                upstreamDue = 0;
                if (x.responsePump.started) idleCheck(now);
                else x.call.timedOut(routePassed(now));
            } else {
                next = next == 0 || due - next < 0 ? due : next;
            }
        }
        return x.done ? 0 : next;
    }

    /** The response has not moved for the route's idle timeout: cut it (unless the client is the slow side). */
    private void idleCheck(long now) {
        Duration idle = x.route.config().idleTimeout();
        if (idle == null || lastResponseNanos == 0) return;
        long due = lastResponseNanos + idle.toNanos();
        if (now - due >= 0 && !x.responsePump.upstreamPaused) {
            x.fail("response idle for " + idle.toMillis() + "ms");
            return;
        }
        upstreamDue = now - due >= 0 ? now + idle.toNanos() : due;
        x.down.armDeadline(upstreamDue, idle.toNanos());
    }
}
