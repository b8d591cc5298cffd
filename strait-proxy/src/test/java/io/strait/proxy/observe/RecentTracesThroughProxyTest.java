package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Through a real proxy with no collector: a client span per upstream attempt under the server span, the
 * upstream's {@code traceparent} naming its attempt's span, and the trace on the admin API's
 * {@code GET /traces} and {@code GET /traces/{id}} (the contract the dashboard draws).
 */
class RecentTracesThroughProxyTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CONFIG = """
            clusters: {web: {endpoints: [{address: ${b}}]}}
            routes:
              - name: web
                match: {pathPrefix: /}
                cluster: web
                retries: {attempts: 2, retryOn: [5xx], backoff: {base: 1ms, max: 2ms}}
            """;

    @Test
    void eachAttemptIsAClientSpanOfTheServerSpanAndTheTraceIsServed() throws Exception {
        try (TestBackend b = new TestBackend("b"); ProxyFixture p = ProxyFixture.start(CONFIG, Map.of("b", b.address()))) {
            b.failNext(1, 503);
            var res = p.send(HttpRequest.newBuilder(p.uri("/echo/x"))
                    .header("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01").build());
            assertThat(res.statusCode()).isEqualTo(200);
            List<String> sent = new ArrayList<>();
            b.received().forEach(r -> sent.add(r.headers().get("traceparent")));
            assertThat(sent).hasSize(2);

            JsonNode trace = await().atMost(Duration.ofSeconds(5)).until(() -> Json.parse(p.admin("GET", "/traces/" + TRACE).body()),
                    t -> t.path("spans").size() == 3);
            assertThat(trace.path("traceId").asText()).isEqualTo(TRACE);
            JsonNode server = null;
            List<JsonNode> clients = new ArrayList<>();
            for (JsonNode s : trace.path("spans")) {
                if (s.path("kind").asText().equals("SERVER")) server = s;
                else clients.add(s);
            }
            assertThat(server).isNotNull();
            assertThat(server.path("parentSpanId").asText()).isEqualTo("00f067aa0ba902b7");
            assertThat(server.path("name").asText()).isEqualTo("GET web");
            assertThat(server.path("service").asText()).isEqualTo("strait");
            assertThat(server.path("status").asText()).isEqualTo("UNSET");
            assertThat(server.path("attributes").path("http.response.status_code").asInt()).isEqualTo(200);
            assertThat(server.path("endEpochNanos").asLong()).isGreaterThanOrEqualTo(server.path("startEpochNanos").asLong());
            assertThat(clients).hasSize(2);
            clients.sort((x, y) -> Long.compare(x.path("attributes").path("strait.attempt").asLong(), y.path("attributes").path("strait.attempt").asLong()));
            for (int i = 0; i < 2; i++) {
                JsonNode c = clients.get(i);
                assertThat(c.path("kind").asText()).isEqualTo("CLIENT");
                assertThat(c.path("parentSpanId").asText()).isEqualTo(server.path("spanId").asText());
                assertThat(c.path("attributes").path("strait.attempt").asInt()).isEqualTo(i + 1);
                assertThat(c.path("attributes").path("strait.upstream").asText()).isEqualTo(b.address());
                // the upstream saw this attempt's span as its parent
                assertThat(sent.get(i)).isEqualTo("00-" + TRACE + "-" + c.path("spanId").asText() + "-01");
            }
            assertThat(clients.get(0).path("status").asText()).isEqualTo("ERROR");
            assertThat(clients.get(0).path("attributes").path("http.response.status_code").asInt()).isEqualTo(503);
            assertThat(clients.get(1).path("status").asText()).isEqualTo("UNSET");
            assertThat(clients.get(1).path("attributes").path("http.request.resend_count").asInt()).isEqualTo(1);

            JsonNode list = Json.parse(p.admin("GET", "/traces").body()).path("traces");
            assertThat(list.size()).isEqualTo(1);
            JsonNode summary = list.get(0);
            assertThat(summary.path("traceId").asText()).isEqualTo(TRACE);
            assertThat(summary.path("rootName").asText()).isEqualTo("GET web");
            assertThat(summary.path("rootService").asText()).isEqualTo("strait");
            assertThat(summary.path("spanCount").asInt()).isEqualTo(3);
            assertThat(summary.path("services").get(0).asText()).isEqualTo("strait");
            assertThat(summary.path("error").asBoolean()).isTrue(); // the first attempt failed
            assertThat(summary.path("durationMillis").asDouble()).isPositive();
            assertThat(summary.path("startEpochMillis").asLong()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        }
    }

    @Test
    void newestFirstLimitedAndUnknownIdsAre404() throws Exception {
        try (TestBackend b = new TestBackend("b"); ProxyFixture p = ProxyFixture.start(CONFIG, Map.of("b", b.address()))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String id = String.format("%032x", i + 1);
                ids.add(id);
                assertThat(p.send(HttpRequest.newBuilder(p.uri("/echo/" + i)).header("traceparent", "00-" + id + "-00f067aa0ba902b7-01")
                        .build()).statusCode()).isEqualTo(200);
                Thread.sleep(5); // distinct start times, so that "newest first" is well defined
            }
            JsonNode two = await().atMost(Duration.ofSeconds(5)).until(() -> Json.parse(p.admin("GET", "/traces?limit=2").body()).path("traces"),
                    t -> t.size() == 2);
            assertThat(two.get(0).path("traceId").asText()).isEqualTo(ids.get(2));
            assertThat(two.get(1).path("traceId").asText()).isEqualTo(ids.get(1));

            var missing = p.admin("GET", "/traces/" + "f".repeat(32));
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(Json.parse(missing.body()).path("error").asText()).isEqualTo("trace_not_found");
            assertThat(p.admin("GET", "/traces?limit=zero").statusCode()).isEqualTo(400);
            assertThat(p.admin("DELETE", "/traces").statusCode()).isEqualTo(405);
            // an unsampled caller leaves nothing behind
            p.send(HttpRequest.newBuilder(p.uri("/echo/u")).header("traceparent", "00-" + "a".repeat(32) + "-00f067aa0ba902b7-00").build());
            assertThat(b.received().get(b.received().size() - 1).headers().get("traceparent"))
                    .as("passed on unchanged").isEqualTo("00-" + "a".repeat(32) + "-00f067aa0ba902b7-00");
            assertThat(p.admin("GET", "/traces/" + "a".repeat(32)).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void recentTracesCanBeTurnedOffAndKeepTheirCount() throws Exception {
        try (TestBackend b = new TestBackend("b"); ProxyFixture p = ProxyFixture.start("""
                observability: {tracing: {recent: {traces: 2}}}
                """ + CONFIG, Map.of("b", b.address()))) {
            for (int i = 0; i < 5; i++) {
                p.send(HttpRequest.newBuilder(p.uri("/echo/" + i)).header("traceparent", "00-" + String.format("%032x", i + 1)
                        + "-00f067aa0ba902b7-01").build());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> Json.parse(p.admin("GET", "/traces").body()).path("traces").size() == 2);
            assertThat(p.server().recentTraces().capacity()).isEqualTo(2);
        }
    }
}
