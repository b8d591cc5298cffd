package io.strait.gateway.graphql;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The HTTP answer to a GraphQL request: a status, the media type, extra headers and the JSON body
 * (always the GraphQL response shape: {@code data} and/or {@code errors}).
 */
public record GraphqlAnswer(int status, String contentType, List<Map.Entry<String, String>> headers, byte[] body) {
    public static final String JSON = "application/json";
    public static final String GRAPHQL_RESPONSE = "application/graphql-response+json";

    public GraphqlAnswer {
        headers = List.copyOf(headers);
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
