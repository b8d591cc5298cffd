package io.strait.proxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON helpers for tests (Jackson comes with strait-config). */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    public static JsonNode parse(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        io.strait.proxy.http.ErrorResponse.quote(sb, s);
        return sb.toString();
    }
}
