package io.strait.proxy.filter;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** What a filter decided: go on, answer the client directly, or wait for something off the event loop. */
public sealed interface FilterResult {
    /** The shared "go on" result: returning it allocates nothing. */
    FilterResult CONTINUE = new Continue();

    static FilterResult respond(HttpResponseStatus status, String error, String message) {
        return new Respond(status, error, message, List.of());
    }

    /** As {@link #respond(HttpResponseStatus, String, String)}, with headers for the answer (e.g. WWW-Authenticate). */
    static FilterResult respond(HttpResponseStatus status, String error, String message, List<Map.Entry<String, String>> headers) {
        return new Respond(status, error, message, List.copyOf(headers));
    }

    /** The stage completes on any thread; the proxy resumes the chain on the request's event loop. */
    static FilterResult suspend(CompletionStage<FilterResult> later) {
        return new Suspend(later);
    }

    record Continue() implements FilterResult {}

    /** Answer with the JSON error body of design.md; the request never goes upstream. */
    record Respond(HttpResponseStatus status, String error, String message, List<Map.Entry<String, String>> headers)
            implements FilterResult {}

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
