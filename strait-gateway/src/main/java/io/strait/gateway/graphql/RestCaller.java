package io.strait.gateway.graphql;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Makes one REST call on a cluster for a GraphQL request: what {@link GraphqlService} needs of a client. One
 * caller serves one GraphQL request (the filter's wraps the engine client with the caller's identity and
 * request id); its stage completes on any thread and must never be waited on.
 */
@FunctionalInterface
public interface RestCaller {
    CompletionStage<RestAnswer> call(RestCall call);

    /**
     * One call.
     *
     * @param cluster the cluster called
     * @param method the HTTP method ({@code GET})
     * @param pathAndQuery the request target, encoded
     * @param headers headers to send (the caller adds the identity and request id)
     * @param timeout how long to wait for the answer, or null for the route's timeout
     * @param maxResponseBytes the longest body read; a longer one fails the call
     */
    record RestCall(String cluster, String method, String pathAndQuery, List<Map.Entry<String, String>> headers,
            Duration timeout, int maxResponseBytes) {
        public RestCall {
            headers = List.copyOf(headers);
        }
    }

    /** What the cluster answered: its status and body. */
    record RestAnswer(int status, byte[] body) {}
}
