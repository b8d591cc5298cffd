package io.strait.filters.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.proxy.client.ClientRequest;
import io.strait.proxy.client.ClientResponse;
import io.strait.proxy.client.ClusterCallException;
import io.strait.proxy.client.ClusterClient;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ReplyReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Answers a GET (or HEAD) with several upstream calls, made in parallel through the engine's
 * {@link ClusterClient} (so the caller's request id, trace context and identity go along), merged into one
 * JSON document: each answer under its key ({@code nested}) or the answers' fields at the top level
 * ({@code merged}). Other methods are refused ({@code 405}, {@code Allow: GET, HEAD}): writes are never fanned out.
 *
 * <p>Partial failure: a call that fails (no response, a timeout, a non-2xx status, a body that is not JSON)
 * leaves its key {@code null} (nested) and is listed in the body's {@value #PARTIAL_FIELD} object
 * ({@code "_partial": {"orders": {"status": 503, "error": "upstream_status"}}}) and in the
 * {@value #PARTIAL_HEADER} header ({@code orders}); the answer is still a 200. Only when every call fails is
 * the answer an error: {@code 502 aggregate_failed}.
 */
final class AggregateFilter implements HttpFilter {
    /** The body field that lists the calls that failed, by key. */
    static final String PARTIAL_FIELD = "_partial";
    /** The response header that lists the keys of the calls that failed, comma-separated. */
    static final String PARTIAL_HEADER = "X-Strait-Partial";
    private static final List<Map.Entry<String, String>> CALL_HEADERS = List.of(Map.entry("Accept", "application/json"));
    private static final List<Map.Entry<String, String>> ALLOW = List.of(Map.entry("Allow", "GET, HEAD"));
    /** Numbers are kept exactly as the upstreams wrote them. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** One call: its key, its cluster and its target. */
    record Target(String key, String cluster, CallTarget target) {}

    /** How one call ended: a JSON value, or a failure (a status to report and an error code). */
    private record Outcome(JsonNode value, int status, String error) {
        boolean failed() {
            return error != null;
        }
    }

    private final String route;
    private final AggregateConfig config;
    private final List<Target> targets;
    private final ClusterClient client;

    AggregateFilter(String route, AggregateConfig config, List<Target> targets, ClusterClient client) {
        this.route = route;
        this.config = config;
        this.targets = List.copyOf(targets);
        this.client = client;
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        HttpMethod method = ctx.request().method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            return FilterResult.respond(ReplyReason.DIRECT_RESPONSE, HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                    "route " + route + " answers GET and HEAD only", ALLOW);
        }
        Outcome[] outcomes = new Outcome[targets.size()];
        CompletableFuture<?>[] calls = new CompletableFuture<?>[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            int index = i;
            ClientRequest request = new ClientRequest(t.cluster(), HttpMethod.GET, t.target().render(ctx), CALL_HEADERS, null,
                    config.timeout(), (int) config.maxResponseSize());
            calls[i] = client.send(ctx, request).handle((res, err) -> {
                outcomes[index] = outcome(res, err);
                return null;
            }).toCompletableFuture();
        }
        // the calls complete on the request's loop; the answer is made there once the last one has
        return FilterResult.suspend(CompletableFuture.allOf(calls).thenApply(done -> answer(ctx, outcomes)));
    }

    private static Outcome outcome(ClientResponse res, Throwable err) {
        if (err != null) {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof ClusterCallException e) {
                int status = e.reason() == ClusterCallException.Reason.TIMEOUT ? 504 : 502;
                return new Outcome(null, status, e.error());
            }
            return new Outcome(null, 502, "upstream_failed");
        }
        if (res.status() < 200 || res.status() > 299) return new Outcome(null, res.status(), "upstream_status");
        if (res.body().length == 0) return new Outcome(NullNode.getInstance(), res.status(), null);
        try {
            return new Outcome(JSON.readTree(res.body()), res.status(), null);
        } catch (IOException e) {
            return new Outcome(null, 502, "invalid_json");
        }
    }

    private FilterResult answer(RequestContext ctx, Outcome[] outcomes) {
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i].failed()) failed.add(targets.get(i).key());
        }
        if (failed.size() == outcomes.length) {
            StringBuilder why = new StringBuilder();
            for (int i = 0; i < outcomes.length; i++) {
                why.append(i == 0 ? "" : ", ").append(targets.get(i).key()).append(": ").append(outcomes[i].error());
                if (outcomes[i].error().equals("upstream_status")) why.append(' ').append(outcomes[i].status());
            }
            return FilterResult.respond(ReplyReason.UPSTREAM_ERROR, HttpResponseStatus.BAD_GATEWAY, "aggregate_failed",
                    "route " + route + ": every call failed (" + why + ")");
        }
        ObjectNode root = JSON.createObjectNode();
        for (int i = 0; i < outcomes.length; i++) {
            Outcome o = outcomes[i];
            String key = targets.get(i).key();
            if (config.merge() == AggregateConfig.Merge.MERGED) {
                if (o.failed()) continue;
                if (o.value().isObject()) root.setAll((ObjectNode) o.value());
                else root.set(key, o.value());
            } else {
                root.set(key, o.failed() ? NullNode.getInstance() : o.value());
            }
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(4);
        headers.add(Map.entry("Content-Type", "application/json"));
        ctx.addResponseHeaders(headers); // e.g. the route's X-RateLimit-*
        if (!failed.isEmpty()) {
            ObjectNode partial = root.putObject(PARTIAL_FIELD);
            for (int i = 0; i < outcomes.length; i++) {
                Outcome o = outcomes[i];
                if (o.failed()) partial.putObject(targets.get(i).key()).put("status", o.status()).put("error", o.error());
            }
            headers.add(Map.entry(PARTIAL_HEADER, String.join(",", failed)));
        }
        try {
            return FilterResult.reply(HttpResponseStatus.OK, headers, JSON.writeValueAsBytes(root));
        } catch (JsonProcessingException e) { // a tree of parsed values always writes
            return FilterResult.respond(ReplyReason.FILTER_ERROR, HttpResponseStatus.INTERNAL_SERVER_ERROR, "aggregate_failed", "route " + route + ": " + e);
        }
    }
}
