package io.strait.cli.explain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** The explanation ({@link Explainer}'s JSON tree) for a person: one section per stage of the request's way. */
final class TextReport {
    private TextReport() {}

    static String render(JsonNode r) {
        StringBuilder sb = new StringBuilder();
        JsonNode req = r.path("request");
        if (!req.isMissingNode()) {
            sb.append("request   ").append(req.path("method").asText()).append(' ').append(req.path("path").asText());
            if (req.hasNonNull("query")) sb.append('?').append(req.path("query").asText());
            if (!req.path("host").asText("").isEmpty()) sb.append("  host ").append(req.path("host").asText());
            sb.append("\nlistener  ").append(req.path("listener").asText()).append(" (").append(req.path("address").asText()).append(")\n");
        }
        if (r.has("listenerFilters")) sb.append("          listener filters: ").append(list(r.path("listenerFilters"))).append('\n');
        JsonNode route = r.path("route");
        if (!route.isMissingNode()) {
            sb.append("route     routes[").append(route.path("index").asInt()).append("] '").append(route.path("name").asText())
                    .append("': ").append(route.path("match").asText()).append('\n');
            if (route.has("pathParams")) sb.append("          path parameters: ").append(route.path("pathParams")).append('\n');
        }
        JsonNode others = r.path("otherRoutes");
        if (others.size() > 0) {
            sb.append(route.isMissingNode() ? "no route matched:\n" : "not taken:\n");
            for (JsonNode o : others) {
                sb.append("          routes[").append(o.path("index").asInt()).append("] '").append(o.path("name").asText())
                        .append("': ").append(o.path("reason").asText()).append('\n');
            }
        }
        JsonNode filters = r.path("filters");
        if (filters.size() > 0) {
            sb.append("filters   (in order)\n");
            int i = 1;
            for (JsonNode f : filters) filter(sb, i++, f);
        }
        JsonNode c = r.path("cluster");
        if (!c.isMissingNode()) {
            sb.append("cluster   ").append(c.path("name").asText()).append(": ").append(c.path("loadBalancer").asText())
                    .append(", ").append(c.path("protocol").asText()).append(c.path("tls").asBoolean() ? ", TLS" : "").append('\n');
            for (JsonNode e : c.path("endpoints")) {
                sb.append("          ").append(e.path("address").asText()).append(" weight ").append(e.path("weight").asInt());
                if (e.has("zone")) sb.append(" zone ").append(e.path("zone").asText());
                if (e.has("labels")) sb.append(' ').append(e.path("labels"));
                sb.append('\n');
            }
            if (c.has("healthCheck")) sb.append("          health check ").append(c.path("healthCheck").asText()).append('\n');
            sb.append("          timeout ").append(route.path("timeout").asText()).append(", retries ")
                    .append(route.path("retries").asText()).append('\n');
            if (route.has("split")) sb.append("          split ").append(route.path("split")).append('\n');
            if (route.has("subset")) sb.append("          subset ").append(route.path("subset")).append('\n');
            if (route.has("mirror")) sb.append("          mirror ").append(route.path("mirror").asText()).append('\n');
            if (route.has("fault")) sb.append("          fault ").append(route.path("fault").asText()).append('\n');
        }
        JsonNode answer = r.path("answer");
        if (!answer.isMissingNode()) {
            sb.append("answer    ").append(answer.path("status").asInt()).append(' ').append(answer.path("error").asText())
                    .append(": ").append(answer.path("message").asText()).append('\n');
        }
        return sb.toString();
    }

    private static void filter(StringBuilder sb, int i, JsonNode f) {
        sb.append("  ").append(i).append(". ").append(f.path("filter").asText()).append("  (").append(f.path("at").asText()).append(")\n");
        for (Map.Entry<String, JsonNode> e : f.properties()) {
            String k = e.getKey();
            if (k.equals("filter") || k.equals("at")) continue;
            JsonNode v = e.getValue();
            if (k.equals("credentials") || k.equals("policies")) {
                for (JsonNode item : v) sb.append("       - ").append(line(item)).append('\n');
            } else {
                sb.append("     ").append(k).append(": ").append(v.isTextual() ? v.asText() : v.toString()).append('\n');
            }
        }
    }

    /** One object on one line: {@code credential jwt:main, present true, ...}. */
    private static String line(JsonNode o) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            if (!sb.isEmpty()) sb.append(", ");
            JsonNode v = e.getValue();
            sb.append(e.getKey()).append(' ').append(v.isTextual() ? v.asText() : v.toString());
        }
        return sb.toString();
    }

    private static String list(JsonNode a) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode x : a) sb.append(sb.isEmpty() ? "" : ", ").append(x.asText());
        return sb.toString();
    }
}
