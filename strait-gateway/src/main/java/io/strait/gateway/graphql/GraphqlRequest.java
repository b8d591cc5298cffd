package io.strait.gateway.graphql;

import java.util.Map;

/**
 * One GraphQL-over-HTTP request, read from a POST body or a GET query string.
 *
 * @param query the document's text, or null (a persisted query sent by hash)
 * @param operationName the operation to run, or null
 * @param variables the variables' values (empty for none)
 * @param extensions the request's extensions ({@code persistedQuery}); empty for none
 * @param get whether it came as a GET (which may run queries only)
 * @param graphqlResponse whether the client accepts {@code application/graphql-response+json} (the status then
 *     tells a request error, 400, from a response with data, 200)
 * @param requestId the request's id, echoed in error answers' {@code extensions}; null for none
 */
public record GraphqlRequest(String query, String operationName, Map<String, Object> variables,
        Map<String, Object> extensions, boolean get, boolean graphqlResponse, String requestId) {
    public GraphqlRequest {
        variables = variables == null ? Map.of() : variables;
        extensions = extensions == null ? Map.of() : extensions;
    }

    /** A POST of {@code query} alone, answered as {@code application/json}. */
    public static GraphqlRequest of(String query) {
        return new GraphqlRequest(query, null, Map.of(), Map.of(), false, false, null);
    }
}
