package io.strait.gateway.apikey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The JSON form of a key record, shared by the file and Redis stores. Holds the hash, never the key. */
final class ApiKeyJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private ApiKeyJson() {}

    static ObjectNode write(String hash, ApiKeyRecord r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", r.id());
        o.put("hash", hash);
        o.put("tenant", r.tenant());
        if (r.plan() != null) o.put("plan", r.plan());
        ArrayNode limits = o.putArray("rateLimits");
        for (ApiKeyRecord.RateLimit l : r.rateLimits()) {
            limits.addObject().put("limit", l.limit()).put("window", l.window().toString());
        }
        ArrayNode scopes = o.putArray("scopes");
        r.scopes().forEach(scopes::add);
        o.put("status", r.status().name().toLowerCase(Locale.ROOT));
        o.put("createdAt", r.createdAt().toString());
        if (r.expiresAt() != null) o.put("expiresAt", r.expiresAt().toString());
        return o;
    }

    /** Hash of a stored record (checked against the looked-up hash). */
    static String hash(JsonNode o) {
        return text(o, "hash");
    }

    /** Reads a record; throws IllegalArgumentException naming the bad field. */
    static ApiKeyRecord read(JsonNode o) {
        if (o == null || !o.isObject()) throw new IllegalArgumentException("a key record must be a JSON object");
        List<ApiKeyRecord.RateLimit> limits = new ArrayList<>();
        for (JsonNode l : array(o, "rateLimits")) {
            limits.add(new ApiKeyRecord.RateLimit(l.path("limit").asLong(), Duration.parse(text(l, "window"))));
        }
        List<String> scopes = new ArrayList<>();
        for (JsonNode s : array(o, "scopes")) scopes.add(s.asText());
        String status = text(o, "status");
        String expires = o.hasNonNull("expiresAt") ? o.get("expiresAt").asText() : null;
        try {
            return new ApiKeyRecord(text(o, "id"), text(o, "tenant"), o.hasNonNull("plan") ? o.get("plan").asText() : null,
                    limits, scopes, ApiKeyRecord.Status.valueOf(status.toUpperCase(Locale.ROOT)),
                    Instant.parse(text(o, "createdAt")), expires == null ? null : Instant.parse(expires));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad key record " + o.path("id").asText("?") + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException("key record: '" + field + "' is missing");
        return v.asText();
    }

    private static Iterable<JsonNode> array(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw new IllegalArgumentException("key record: '" + field + "' must be a list");
        return v;
    }
}
