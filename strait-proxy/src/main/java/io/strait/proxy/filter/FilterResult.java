package io.strait.proxy.filter;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.proxy.http.ReplyReason;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** What a filter decided: go on, answer the client directly, or wait for something off the event loop. */
public sealed interface FilterResult {
    /** The shared "go on" result: returning it allocates nothing. */
    FilterResult CONTINUE = new Continue();

    /** A JSON error answer counted under {@link ReplyReason#FILTER}: give a reason when one of {@link ReplyReason} fits. */
    static FilterResult respond(HttpResponseStatus status, String error, String message) {
        return respond(ReplyReason.FILTER, status, error, message);
    }

    /** As {@link #respond(HttpResponseStatus, String, String)}, with headers for the answer (e.g. WWW-Authenticate). */
    static FilterResult respond(HttpResponseStatus status, String error, String message, List<Map.Entry<String, String>> headers) {
        return respond(ReplyReason.FILTER, status, error, message, headers);
    }

    /**
     * A JSON error answer; {@code reason} is why, for {@code strait_requests_total}'s {@code reason} label (e.g.
     * {@link ReplyReason#AUTH} for a 401).
     */
    static FilterResult respond(ReplyReason reason, HttpResponseStatus status, String error, String message) {
        return new Respond(status, error, message, List.of(), null, reason);
    }

    /** As {@link #respond(ReplyReason, HttpResponseStatus, String, String)}, with headers for the answer. */
    static FilterResult respond(ReplyReason reason, HttpResponseStatus status, String error, String message,
                                List<Map.Entry<String, String>> headers) {
        return new Respond(status, error, message, List.copyOf(headers), null, reason);
    }

    /**
     * Answer with this body (Content-Type among {@code headers}); the engine sets Content-Length and the
     * request id, sends no body to a HEAD request, and runs the response head callbacks of the filters
     * that saw the request on it, as on every local reply. What a filter that serves the request itself
     * (aggregation, GraphQL) answers with; counted under {@link ReplyReason#DIRECT_RESPONSE}.
     */
    static FilterResult reply(HttpResponseStatus status, List<Map.Entry<String, String>> headers, byte[] body) {
        return new Respond(status, null, null, List.copyOf(headers), body == null ? new byte[0] : body,
                ReplyReason.DIRECT_RESPONSE);
    }

    /** The stage completes on any thread; the proxy resumes the chain on the request's event loop. */
    static FilterResult suspend(CompletionStage<FilterResult> later) {
        return new Suspend(later);
    }

    record Continue() implements FilterResult {}

    /**
     * Answer the client; the request never goes upstream. Without {@code body} (null): the JSON error of
     * design.md made from {@code error} and {@code message}; with it ({@link #reply}): that body as it is.
     * {@code reason} is why Strait answered, for the metrics.
     */
    record Respond(HttpResponseStatus status, String error, String message, List<Map.Entry<String, String>> headers,
                   byte[] body, ReplyReason reason) implements FilterResult {
        public Respond {
            java.util.Objects.requireNonNull(reason, "reason");
        }

        /** A JSON error answer, counted under {@link ReplyReason#FILTER}. */
        public Respond(HttpResponseStatus status, String error, String message, List<Map.Entry<String, String>> headers) {
            this(status, error, message, headers, null, ReplyReason.FILTER);
        }

        /** A JSON error answer for {@code reason}. */
        public Respond(ReplyReason reason, HttpResponseStatus status, String error, String message) {
            this(status, error, message, List.of(), null, reason);
        }
    }

    record Suspend(CompletionStage<FilterResult> later) implements FilterResult {}

    /**
     * Only as the value of a {@link Suspend}'s stage: the work that must happen back on the request's
     * event loop (changing the request, deciding the answer), run there before the chain goes on.
     */
    static FilterResult onLoop(Function<RequestContext, FilterResult> action) {
        return new OnLoop(action);
    }

    record OnLoop(Function<RequestContext, FilterResult> action) implements FilterResult {}
}
