package io.strait.proxy.exchange;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.proxy.filter.FilterChain;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.MessageBody;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ReplyReason;
import io.strait.proxy.observe.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request through its filter chains: the listener's before routing, the route's after, their
 * body callbacks when the chain reads a body, and the response callbacks in reverse. Every callback is
 * guarded: an exception becomes a JSON error ({@code 500 filter_error}) and a count in
 * {@code strait_filter_errors_total} naming the route and the filter, never a cut connection. A filter
 * that suspends (in a head or a request body callback) is bounded by the deadline it was given (the
 * route's): past it the request is answered {@code 504 filter_timeout}, and the filter's late answer is let go.
 *
 * <p>A local reply (a filter's answer, an engine error) passes the response callbacks of the filters
 * that saw the request, as Envoy's local replies do, so CORS or header filters apply to it too.
 */
final class FilterRunner {
    private static final Logger log = LoggerFactory.getLogger(FilterRunner.class);

    /** What the runner hands back to its exchange. */
    interface Host {
        /** The chain went through: the listener's ({@code listenerStage}) or the route's. */
        void filtersDone(boolean listenerStage);

        /** The route's body callbacks went through: {@code body} (maybe replaced) goes upstream. */
        void requestBodyDone(MessageBody body);

        /** A filter answered, failed or timed out: answer the client with this JSON error. */
        void filterAnswered(FilterResult.Respond answer);

        /** Whether the exchange already ended (a late answer is then let go). */
        boolean exchangeDone();

        /**
         * A filter suspended until {@code deadline} (System.nanoTime): call {@link #suspensionDue()} then
         * if it has not answered. The exchange's one timer serves it (no Netty timer per suspension).
         */
        void suspendedUntil(long deadline);

        /** The suspension ended (answered, or the exchange is over): nothing is due for it. */
        void suspensionEnded();
    }

    private final Host host;
    private final RequestContext ctx;
    private final EventLoop loop;
    private final ProxyMetrics metrics;

    private FilterChain listener = FilterChain.EMPTY;
    private FilterChain route = FilterChain.EMPTY;
    /** How many links of each chain saw the request head (their response callbacks run on the way back). */
    private int listenerReached;
    private int routeReached;
    private boolean listenerStage;
    /** Counts suspensions: an answer for an older one, or after a timeout, is let go. */
    private int suspension;
    private boolean suspended;
    /** The suspended filter and its chain, for the timeout's answer; null when none is suspended. */
    private FilterChain suspendedChain;
    private FilterChain.Link suspendedLink;
    /** Whether a suspension resumes the request body's callbacks (else the heads'). */
    private boolean bodyStage;
    /** The request body its callbacks see while they run (the request pump owns it). */
    private MessageBody body;
    /** A response callback failed: the error reply that replaces the response passes no filter again. */
    private boolean responseFailed;

    FilterRunner(Host host, RequestContext ctx, EventLoop loop, ProxyMetrics metrics) {
        this.host = host;
        this.ctx = ctx;
        this.loop = loop;
        this.metrics = metrics;
    }

    // ---------------------------------------------------------------- request

    /** Runs the listener's chain; {@code deadline} (System.nanoTime, 0 for none) bounds a suspension. */
    void runListener(FilterChain chain, long deadline) {
        listener = chain;
        listenerStage = true;
        run(0, deadline);
    }

    /** Runs the route's chain; {@code deadline} (the route's, from the request's arrival) bounds a suspension. */
    void runRoute(FilterChain chain, long deadline) {
        route = chain;
        listenerStage = false;
        run(0, deadline);
    }

    private FilterChain current() {
        return listenerStage ? listener : route;
    }

    private void run(int from, long deadline) {
        FilterChain chain = current();
        for (int i = from; i < chain.size(); i++) {
            FilterChain.Link link = chain.link(i);
            reached(i + 1);
            FilterResult r;
            try {
                r = link.filter().onRequest(ctx);
            } catch (RuntimeException e) {
                host.filterAnswered(failure(chain, link, "request", e));
                return;
            }
            if (r == FilterResult.CONTINUE || r instanceof FilterResult.Continue) continue;
            if (r instanceof FilterResult.Respond respond) {
                host.filterAnswered(respond);
                return;
            }
            if (r instanceof FilterResult.Suspend s) {
                suspend(chain, link, i + 1, s, deadline);
                return;
            }
            if (r instanceof FilterResult.OnLoop onLoop) { // already on the loop: run it now
                FilterResult now = applyOnLoop(chain, link, onLoop);
                if (now == null) return;
                if (now instanceof FilterResult.Respond respond) {
                    host.filterAnswered(respond);
                    return;
                }
            }
        }
        host.filtersDone(listenerStage);
    }

    private void reached(int n) {
        if (listenerStage) listenerReached = n;
        else routeReached = n;
    }

    private void suspend(FilterChain chain, FilterChain.Link link, int next, FilterResult.Suspend s, long deadline) {
        int token = ++suspension;
        suspended = true;
        suspendedChain = chain;
        suspendedLink = link;
        if (deadline != 0) host.suspendedUntil(deadline);
        s.later().whenComplete((res, err) -> {
            // completed on this request's loop (a client running on the proxy's loops): go on at once
            if (loop.inEventLoop()) resume(chain, link, token, next, res, err, deadline);
            else loop.execute(() -> resume(chain, link, token, next, res, err, deadline));
        });
    }

    /** The deadline of the suspension passed (the exchange's timer): answer 504, let the late answer go. */
    void suspensionDue() {
        if (!suspended || host.exchangeDone()) return;
        FilterChain chain = suspendedChain;
        FilterChain.Link link = suspendedLink;
        endSuspension();
        suspension++; // the filter's late answer no longer matches
        metrics.filterError(chain.owner(), link.name(), "timeout");
        host.filterAnswered(new FilterResult.Respond(ReplyReason.FILTER_ERROR, HttpResponseStatus.GATEWAY_TIMEOUT,
                "filter_timeout", where(chain, link) + ": no answer within the route's timeout"));
    }

    private void resume(FilterChain chain, FilterChain.Link link, int token, int next, FilterResult result, Throwable err,
            long deadline) {
        if (!suspended || token != suspension || host.exchangeDone()) return;
        endSuspension();
        if (err != null) {
            metrics.filterError(chain.owner(), link.name(), "request");
            log.debug("{}: failed: {}", where(chain, link), err.toString());
            host.filterAnswered(new FilterResult.Respond(ReplyReason.FILTER_ERROR, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "filter_unavailable", where(chain, link) + ": " + err.getClass().getSimpleName()));
            return;
        }
        if (result instanceof FilterResult.OnLoop onLoop) {
            result = applyOnLoop(chain, link, onLoop);
            if (result == null) return;
        }
        if (result instanceof FilterResult.Respond respond) {
            host.filterAnswered(respond);
        } else if (result instanceof FilterResult.Suspend again) {
            suspend(chain, link, next, again, deadline);
        } else if (bodyStage) {
            runBody(next, deadline);
        } else {
            run(next, deadline);
        }
    }

    /** The filter's work back on the loop; null when it failed (the exchange was answered). */
    private FilterResult applyOnLoop(FilterChain chain, FilterChain.Link link, FilterResult.OnLoop onLoop) {
        try {
            FilterResult r = onLoop.action().apply(ctx);
            return r == null ? FilterResult.CONTINUE : r;
        } catch (RuntimeException e) {
            host.filterAnswered(failure(chain, link, "request", e));
            return null;
        }
    }

    /**
     * The route chain's body callbacks, in order, for the filters that read the request body and whose
     * limit the body is within; each may go on, answer, or suspend (bounded by {@code deadline}, as a
     * head callback's suspension). Ends in {@link Host#requestBodyDone} or {@link Host#filterAnswered};
     * the caller keeps owning {@code body} either way.
     */
    void runRequestBody(MessageBody body, long deadline) {
        this.body = body;
        bodyStage = true;
        listenerStage = false;
        runBody(0, deadline);
    }

    private void runBody(int from, long deadline) {
        FilterChain chain = route;
        for (int i = from; i < chain.size(); i++) {
            FilterChain.Link link = chain.link(i);
            if (!link.access().readsRequest() || body.length() > link.access().requestLimit()) continue;
            FilterResult r;
            try {
                r = link.filter().onRequestBody(ctx, body);
            } catch (RuntimeException e) {
                host.filterAnswered(failure(chain, link, "request_body", e));
                return;
            }
            if (r instanceof FilterResult.OnLoop onLoop) {
                r = applyOnLoop(chain, link, onLoop);
                if (r == null) return;
            }
            if (r instanceof FilterResult.Respond respond) {
                host.filterAnswered(respond);
                return;
            }
            if (r instanceof FilterResult.Suspend s) {
                suspend(chain, link, i + 1, s, deadline);
                return;
            }
        }
        MessageBody done = body;
        body = null;
        bodyStage = false;
        host.requestBodyDone(done);
    }

    // ---------------------------------------------------------------- response

    /** Whether any filter that saw the request reads the response body (then it is read whole first). */
    long responseBodyLimit() {
        return Math.max(listenerReached > 0 ? listener.responseBodyLimit() : 0, routeReached > 0 ? route.responseBodyLimit() : 0);
    }

    boolean rejectsLongResponse() {
        return (routeReached > 0 && route.rejectsLongResponse()) || (listenerReached > 0 && listener.rejectsLongResponse());
    }

    /**
     * The response callbacks of every filter that saw the request, route's then listener's, each in
     * reverse; with {@code body}, each reader's body callback right after its head callback. Null when all
     * went through, else the error answer (a callback threw).
     */
    FilterResult.Respond runResponse(HttpResponse res, MessageBody body) {
        FilterResult.Respond failed = runResponse(route, routeReached, res, body);
        return failed != null ? failed : runResponse(listener, listenerReached, res, body);
    }

    private FilterResult.Respond runResponse(FilterChain chain, int reached, HttpResponse res, MessageBody body) {
        for (int i = reached - 1; i >= 0; i--) {
            FilterChain.Link link = chain.link(i);
            String phase = "response";
            try {
                if (link.seesResponseHeads()) link.filter().onResponse(ctx, res);
                if (body != null && link.access().readsResponse() && body.length() <= link.access().responseLimit()) {
                    phase = "response_body";
                    link.filter().onResponseBody(ctx, res, body);
                }
            } catch (RuntimeException e) {
                responseFailed = true;
                return failure(chain, link, phase, e);
            }
        }
        return null;
    }

    /**
     * A local reply (a filter's answer or an engine error): the head callbacks of the filters that saw the
     * request (none after a response callback failed). A callback that throws here is counted and skipped:
     * the reply goes out regardless.
     */
    void runLocalReply(HttpResponse res) {
        if (responseFailed) return;
        localReply(route, routeReached, res);
        localReply(listener, listenerReached, res);
    }

    private void localReply(FilterChain chain, int reached, HttpResponse res) {
        for (int i = reached - 1; i >= 0; i--) {
            FilterChain.Link link = chain.link(i);
            if (!link.seesResponseHeads()) continue;
            try {
                link.filter().onResponse(ctx, res);
            } catch (RuntimeException e) {
                failure(chain, link, "response", e);
            }
        }
    }

    private void endSuspension() {
        suspended = false;
        suspendedChain = null;
        suspendedLink = null;
        host.suspensionEnded();
    }

    /** Nothing more runs: a pending suspension is let go. */
    void close() {
        body = null;
        if (suspended) endSuspension();
    }

    private FilterResult.Respond failure(FilterChain chain, FilterChain.Link link, String phase, RuntimeException e) {
        metrics.filterError(chain.owner(), link.name(), phase);
        log.warn("{}: {} callback failed: {}", where(chain, link), phase, e.toString());
        return new FilterResult.Respond(ReplyReason.FILTER_ERROR, HttpResponseStatus.INTERNAL_SERVER_ERROR, "filter_error",
                where(chain, link) + ": failed (" + e.getClass().getSimpleName() + ")");
    }

    private static String where(FilterChain chain, FilterChain.Link link) {
        String owner = chain.owner();
        return (owner.startsWith("listener:") ? owner.replace(':', ' ') : "route " + owner) + ", filter " + link.name();
    }
}
