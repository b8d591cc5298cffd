package io.strait.proxy.filter;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletionStage;

/** What a filter decided: go on, answer the client directly, or wait for something off the event loop. */
public sealed interface FilterResult {
    /** The shared "go on" result: returning it allocates nothing. */
    FilterResult CONTINUE = new Continue();

    static FilterResult respond(HttpResponseStatus status, String error, String message) {
        return new Respond(status, error, message);
    }

    /** The stage completes on any thread; the proxy resumes the chain on the request's event loop. */
    static FilterResult suspend(CompletionStage<FilterResult> later) {
        return new Suspend(later);
    }

    record Continue() implements FilterResult {}

    /** Answer with the JSON error body of design.md; the request never goes upstream. */
    record Respond(HttpResponseStatus status, String error, String message) implements FilterResult {}

    record Suspend(CompletionStage<FilterResult> later) implements FilterResult {}
}
