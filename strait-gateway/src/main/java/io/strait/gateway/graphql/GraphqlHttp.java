package io.strait.gateway.graphql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a GraphQL-over-HTTP request: a POST with a JSON body {@code {query, operationName, variables,
 * extensions}}, or a GET with those as query parameters ({@code variables} and {@code extensions} as JSON text).
 * Whatever is not a well-formed request is a {@link Refusal} with its status (400, 405, 413, 415), never an
 * exception of the parser's.
 */
final class GraphqlHttp {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GraphqlHttp() {}

    /**
     * The request, or a {@link Refusal}.
     *
     * @param method the HTTP method
     * @param rawQuery the query string without '?', or null
     * @param contentType the Content-Type header, or null
     * @param accept the Accept header, or null
     * @param body the request body (empty for a GET)
     * @param maxBodySize the longest body taken
     * @param requestId the request's id, or null
     */
    static GraphqlRequest read(String method, String rawQuery, String contentType, String accept, byte[] body,
            long maxBodySize, String requestId) {
        boolean graphqlResponse = wantsGraphqlResponse(accept);
        return switch (method) {
            case "GET" -> get(rawQuery, graphqlResponse, requestId);
            case "POST" -> post(contentType, body, maxBodySize, graphqlResponse, requestId);
            default -> throw new Refusal(405, "METHOD_NOT_ALLOWED", "GraphQL takes GET and POST, not " + method);
        };
    }

    /**
     * Whether the answer is {@code application/graphql-response+json}: the client lists it in Accept, ahead of
     * (or without) {@code application/json}. Without Accept the answer is {@code application/json}, as the
     * GraphQL-over-HTTP spec asks of servers that keep legacy clients working.
     */
    static boolean wantsGraphqlResponse(String accept) {
        if (accept == null) return false;
        String a = accept.toLowerCase(Locale.ROOT);
        int gr = a.indexOf(GraphqlAnswer.GRAPHQL_RESPONSE);
        if (gr < 0) return false;
        int json = a.indexOf(GraphqlAnswer.JSON);
        return json < 0 || gr <= json;
    }

    private static GraphqlRequest get(String rawQuery, boolean graphqlResponse, String requestId) {
        Map<String, List<String>> params = new QueryStringDecoder(rawQuery == null ? "" : rawQuery, StandardCharsets.UTF_8, false)
                .parameters();
        return new GraphqlRequest(one(params, "query"), one(params, "operationName"),
                object(one(params, "variables"), "variables"), object(one(params, "extensions"), "extensions"),
                true, graphqlResponse, requestId);
    }

    private static String one(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        if (v == null || v.isEmpty()) return null;
        if (v.size() > 1) throw new Refusal(400, PersistedQueryStore.BAD_REQUEST, "the query parameter " + name + " is given twice");
        return v.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String json, String what) {
        if (json == null || json.isEmpty()) return Map.of();
        try {
            Object v = JSON.readValue(json, Object.class);
            if (v == null) return Map.of();
            if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        } catch (JsonProcessingException e) {
            // refused below
        }
        throw new Refusal(400, PersistedQueryStore.BAD_REQUEST, what + " must be a JSON object");
    }

    private static GraphqlRequest post(String contentType, byte[] body, long maxBodySize, boolean graphqlResponse,
            String requestId) {
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith(GraphqlAnswer.JSON)) {
            throw new Refusal(415, "UNSUPPORTED_MEDIA_TYPE", "a GraphQL POST is application/json, not " + contentType);
        }
        if (body.length > maxBodySize) {
            throw new Refusal(413, "REQUEST_TOO_LARGE", "the request body is over " + maxBodySize + " bytes");
        }
        Object parsed;
        try {
            parsed = JSON.readValue(body, Object.class);
        } catch (IOException e) {
            throw new Refusal(400, PersistedQueryStore.BAD_REQUEST, "the body is not JSON");
        }
        if (parsed instanceof List<?>) throw new Refusal(400, PersistedQueryStore.BAD_REQUEST, "batched requests are not supported");
        if (!(parsed instanceof Map<?, ?> m)) throw new Refusal(400, PersistedQueryStore.BAD_REQUEST, "the body must be a JSON object");
        return new GraphqlRequest(string(m, "query"), string(m, "operationName"), map(m, "variables"), map(m, "extensions"),
                false, graphqlResponse, requestId);
    }

    private static String string(Map<?, ?> m, String field) {
        Object v = m.get(field);
        if (v == null || v instanceof String) return (String) v;
        throw new Refusal(400, PersistedQueryStore.BAD_REQUEST, field + " must be a string");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<?, ?> m, String field) {
        Object v = m.get(field);
        if (v == null) return Map.of();
        if (v instanceof Map<?, ?> o) return (Map<String, Object>) o;
        throw new Refusal(400, PersistedQueryStore.BAD_REQUEST, field + " must be a JSON object");
    }
}
