package io.strait.gateway.graphql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ErrorClassification;
import graphql.ErrorType;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GraphQL answers and chooses their HTTP status, as the GraphQL-over-HTTP spec says:
 * <ul>
 *   <li>{@code application/json} (the default): 200 for every well-formed request, errors or not;
 *   <li>{@code application/graphql-response+json} (when the client accepts it): 200 when the answer has
 *       {@code data} (partial data included), 400 when it has none (parse, validation, limit, introspection and
 *       persisted-query errors);
 *   <li>either: a request that is not well-formed GraphQL-over-HTTP gets its own status (400 malformed JSON or
 *       no query, 405, 413, 415).
 * </ul>
 * Every error carries {@code extensions.code}: graphql-java's parse and validation errors get Apollo's
 * {@code GRAPHQL_PARSE_FAILED} and {@code GRAPHQL_VALIDATION_FAILED}. Answers with errors carry the request id in
 * the top-level {@code extensions.requestId}.
 */
final class GraphqlResponses {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GraphqlResponses() {}

    /** The answer to a refused request. */
    static GraphqlAnswer refusal(Refusal r, boolean graphqlResponse, String requestId) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", r.getMessage());
        error.put("extensions", Map.of("code", r.code()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errors", List.of(error));
        if (requestId != null) body.put("extensions", Map.of("requestId", requestId));
        int status = r.status() != Refusal.BY_MEDIA_TYPE ? r.status() : graphqlResponse ? 400 : 200;
        List<Map.Entry<String, String>> headers = r.status() == 405 ? List.of(Map.entry("Allow", "GET, POST")) : List.of();
        return answer(status, graphqlResponse, headers, body);
    }

    /** The answer to an executed (or parse- or validation-failed) request. */
    static GraphqlAnswer result(ExecutionResult result, boolean graphqlResponse, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (!result.getErrors().isEmpty()) {
            List<Map<String, Object>> errors = new ArrayList<>();
            for (GraphQLError e : result.getErrors()) errors.add(error(e));
            body.put("errors", errors);
        }
        if (result.isDataPresent()) body.put("data", result.getData());
        Map<String, Object> extensions = new LinkedHashMap<>();
        if (result.getExtensions() != null) result.getExtensions().forEach((k, v) -> extensions.put(String.valueOf(k), v));
        if (requestId != null && !result.getErrors().isEmpty()) extensions.put("requestId", requestId);
        if (!extensions.isEmpty()) body.put("extensions", extensions);
        int status = graphqlResponse && !result.isDataPresent() ? 400 : 200;
        return answer(status, graphqlResponse, List.of(), body);
    }

    private static Map<String, Object> error(GraphQLError e) {
        Map<String, Object> spec = new LinkedHashMap<>(e.toSpecification());
        Map<String, Object> ext = new LinkedHashMap<>();
        if (spec.get("extensions") instanceof Map<?, ?> m) m.forEach((k, v) -> ext.put(String.valueOf(k), v));
        ext.remove("classification");
        ext.putIfAbsent("code", e instanceof graphql.introspection.IntrospectionDisabledError ? "INTROSPECTION_DISABLED"
                : code(e.getErrorType()));
        spec.put("extensions", ext);
        return spec;
    }

    private static String code(ErrorClassification c) {
        if (c == ErrorType.InvalidSyntax) return "GRAPHQL_PARSE_FAILED";
        if (c == ErrorType.ValidationError) return "GRAPHQL_VALIDATION_FAILED";
        if (c == ErrorType.OperationNotSupported) return "OPERATION_NOT_SUPPORTED";
        if (c == ErrorType.ExecutionAborted) return "EXECUTION_ABORTED";
        if (c == ErrorType.NullValueInNonNullableField) return "NULL_IN_NON_NULL_FIELD";
        return "INTERNAL_ERROR";
    }

    private static GraphqlAnswer answer(int status, boolean graphqlResponse, List<Map.Entry<String, String>> headers,
            Map<String, Object> body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // data are maps, lists and scalars read from JSON: they always write
            throw new IllegalStateException("a GraphQL answer did not write: " + e.getOriginalMessage(), e);
        }
        return new GraphqlAnswer(status, graphqlResponse ? GraphqlAnswer.GRAPHQL_RESPONSE : GraphqlAnswer.JSON, headers, bytes);
    }
}
