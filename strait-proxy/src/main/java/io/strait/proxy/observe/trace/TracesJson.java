package io.strait.proxy.observe.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The admin API's trace views ({@code GET /traces}, {@code GET /traces/{id}}), the same on a gateway, a
 * sidecar and the control plane.
 */
public final class TracesJson {
    /** {@code GET /traces} without {@code limit}. */
    public static final int DEFAULT_LIMIT = 50;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TracesJson() {}

    /**
     * The answer to {@code GET /traces?limit=N} (or {@code /traces/ID}) for {@code path} and {@code query}
     * (the raw query string, or null): status and JSON body.
     */
    public record Answer(int status, String body) {}

    /** Serves a request for {@code path} ({@code /traces} or {@code /traces/ID}) from {@code traces}. */
    public static Answer answer(RecentTraces traces, String path, String query) {
        if (path.equals("/traces") || path.equals("/traces/")) {
            Integer limit = limit(query);
            if (limit == null) return error(400, "bad_request", "limit must be a whole number from 1 to 10000");
            return new Answer(200, list(traces.list(limit)));
        }
        String id = path.substring("/traces/".length());
        List<SpanRecord> spans = traces.trace(id);
        if (spans == null) {
            return error(404, "trace_not_found", "no trace " + (id.length() > 64 ? id.substring(0, 64) + "..." : id)
                    + " among the " + traces.size() + " recent traces kept here");
        }
        return new Answer(200, trace(id, spans));
    }

    /** {@code limit} from a query string; the default without one, null when it is not a number in range. */
    static Integer limit(String query) {
        if (query == null || query.isEmpty()) return DEFAULT_LIMIT;
        for (String pair : query.split("&")) {
            if (!pair.startsWith("limit=")) continue;
            try {
                int n = Integer.parseInt(pair.substring("limit=".length()));
                return n >= 1 && n <= 10_000 ? n : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return DEFAULT_LIMIT;
    }

    static String list(List<RecentTraces.Summary> summaries) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode a = root.putArray("traces");
        for (RecentTraces.Summary s : summaries) {
            ObjectNode o = a.addObject();
            o.put("traceId", s.traceId());
            o.put("rootName", s.rootName());
            o.put("rootService", s.rootService());
            o.put("startEpochMillis", s.startEpochMillis());
            o.put("durationMillis", s.durationMillis());
            o.put("spanCount", s.spanCount());
            ArrayNode services = o.putArray("services");
            s.services().forEach(services::add);
            o.put("error", s.error());
        }
        return write(root);
    }

    static String trace(String traceId, List<SpanRecord> spans) {
        ObjectNode root = JSON.createObjectNode();
        root.put("traceId", traceId);
        ArrayNode a = root.putArray("spans");
        for (SpanRecord s : spans) {
            ObjectNode o = a.addObject();
            o.put("spanId", s.spanId());
            o.put("parentSpanId", s.parentSpanId());
            o.put("name", s.name());
            o.put("kind", s.kind().name());
            o.put("service", s.service());
            o.put("startEpochNanos", s.startEpochNanos());
            o.put("endEpochNanos", s.endEpochNanos());
            o.put("durationMillis", s.durationMillis());
            o.put("status", s.status().name());
            if (s.statusMessage() != null) o.put("statusMessage", s.statusMessage());
            ObjectNode attrs = o.putObject("attributes");
            for (Map.Entry<String, Object> e : s.attributes().entrySet()) {
                switch (e.getValue()) {
                    case Long l -> attrs.put(e.getKey(), l);
                    case Integer i -> attrs.put(e.getKey(), i);
                    case Double d -> attrs.put(e.getKey(), d);
                    case Boolean b -> attrs.put(e.getKey(), b);
                    case null -> attrs.putNull(e.getKey());
                    default -> attrs.put(e.getKey(), String.valueOf(e.getValue()));
                }
            }
        }
        return write(root);
    }

    private static Answer error(int status, String code, String message) {
        return new Answer(status, write(JSON.createObjectNode().put("error", code).put("message", message)));
    }

    private static String write(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
