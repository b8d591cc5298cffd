package io.strait.proxy.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.proxy.observe.RecentErrors;

/**
 * {@code GET /errors}: the last failed exchanges, newest first, each with who answered ({@code upstream}: its
 * own 5xx; {@code strait}: Strait's answer or cut, with the reason's error code). No query string, header or
 * body is kept.
 */
final class ErrorsView {
    private ErrorsView() {}

    static ObjectNode toJson(RecentErrors errors) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("capacity", RecentErrors.CAPACITY);
        root.put("total", errors.total());
        ArrayNode list = root.putArray("errors");
        for (RecentErrors.Entry e : errors.newestFirst()) {
            ObjectNode o = list.addObject();
            o.put("epochMillis", e.epochMillis());
            o.put("method", e.method());
            o.put("path", e.path());
            o.put("status", e.status());
            o.put("route", e.route());
            o.put("cluster", e.cluster());
            o.put("endpoint", e.endpoint());
            o.put("responder", e.reason() == null ? "upstream" : "strait");
            o.put("reason", e.reason());
            o.put("durationMillis", Math.round(e.durationMillis() * 1000) / 1000.0);
            o.put("requestId", e.requestId());
            o.put("traceId", e.traceId());
        }
        return root;
    }
}
