package io.strait.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import io.strait.config.model.FilterConfig;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.LeakWatch;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The engine's {@link ClusterClient} through a real proxy and real backends: a terminal test filter
 * ({@code call: {cluster, path, timeout, max}}) calls a cluster and answers with what came back, or with
 * the failure's reason. Success with the caller's headers passed on, each failure kind, reloads, no leaks.
 */
class ClusterClientTest {
    record CallConfig(String cluster, String path, long timeoutMillis, int max) implements FilterConfig {}

    /** The {@code call} filter: answers every request with its cluster call's result (it needs no route cluster). */
    static final class CallModule implements FilterModule {
        @Override
        public List<FilterFactory<?>> factories() {
            return List.of(new FilterFactory<CallConfig>() {
                @Override
                public String name() {
                    return "call";
                }

                @Override
                public Class<CallConfig> configType() {
                    return CallConfig.class;
                }

                @Override
                public boolean terminal() {
                    return true;
                }

                @Override
                public FilterReader<CallConfig> reader() {
                    return new FilterReader<>() {
                        @Override
                        public String name() {
                            return "call";
                        }

                        @Override
                        public CallConfig read(Node entry, String field, io.strait.config.load.FilterReadContext context) {
                            Node n = entry.object(field);
                            CallConfig c = new CallConfig(n.string("cluster", null), n.string("path", "/echo"),
                                    n.duration("timeout", Duration.ofSeconds(2)).toMillis(), (int) n.size("max", 65536));
                            n.finish();
                            return c;
                        }
                    };
                }

                @Override
                public HttpFilter create(CallConfig c, FilterScope scope) {
                    return ctx -> FilterResult.suspend(scope.clients().send(ctx, new ClientRequest(c.cluster(), HttpMethod.GET,
                                    c.path(), List.of(Map.entry("X-Extra", "1")), null, Duration.ofMillis(c.timeoutMillis()), c.max()))
                            .handle((res, err) -> {
                                String onLoop = "" + ctx.eventLoop().inEventLoop();
                                if (err != null) {
                                    Throwable cause = err instanceof CompletionException ? err.getCause() : err;
                                    ClusterCallException e = (ClusterCallException) cause;
                                    String body = "{\"reason\":\"" + e.reason() + "\",\"error\":\"" + e.error() + "\",\"message\":"
                                            + Json.quote(e.getMessage()) + "}";
                                    return FilterResult.reply(HttpResponseStatus.BAD_GATEWAY, List.of(
                                            Map.entry("Content-Type", "application/json"), Map.entry("X-On-Loop", onLoop)),
                                            body.getBytes(StandardCharsets.UTF_8));
                                }
                                return FilterResult.reply(HttpResponseStatus.valueOf(res.status()), List.of(
                                        Map.entry("Content-Type", "application/json"), Map.entry("X-On-Loop", onLoop),
                                        Map.entry("X-Upstream-Type", "" + res.headers().get(HttpHeaderNames.CONTENT_TYPE))), res.body());
                            }));
                }
            });
        }
    }

    private static final String CONFIG = """
            clusters:
              users: {endpoints: [{address: "127.0.0.1:${port}"}]}
              h2: {endpoints: [{address: "127.0.0.1:${h2Port}"}], protocol: h2c}
              down: {endpoints: [{address: "127.0.0.1:${closed}"}]}
              sick:
                endpoints: [{address: "127.0.0.1:${sickPort}"}]
                healthCheck: {path: /healthz, interval: 100ms, unhealthyThreshold: 1}
            routes:
              - {name: ok, match: {path: /ok}, call: {cluster: users, path: /echo/x}}
              - {name: status, match: {path: /status}, call: {cluster: users, path: /status/503}}
              - {name: unknown, match: {path: /unknown}, call: {cluster: nope}}
              - {name: slow, match: {path: /slow}, call: {cluster: users, path: /delay/3000, timeout: 200ms}}
              - {name: big, match: {path: /big}, call: {cluster: users, path: /bytes/100000, max: 1000}}
              - {name: sick, match: {path: /sick}, call: {cluster: sick}}
              - {name: down, match: {path: /down}, call: {cluster: down}}
              - {name: later, match: {path: /later}, call: {cluster: later}}
              - {name: h2, match: {path: /h2}, call: {cluster: h2, path: /echo/h2}}
            """;

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** An HTTP/2 (h2c) backend, shared: only the h2 route calls it. */
    private static TestBackend h2;

    @org.junit.jupiter.api.BeforeAll
    static void startH2() throws Exception {
        h2 = TestBackend.h2c("h2");
    }

    @org.junit.jupiter.api.AfterAll
    static void stopH2() {
        h2.close();
    }

    private static Map<String, String> vars(TestBackend users, TestBackend sick) throws Exception {
        return Map.of("port", "" + users.port(), "sickPort", "" + sick.port(), "closed", "" + closedPort(), "h2Port", "" + h2.port());
    }

    @Test
    void aCallReachesTheClusterWithTheCallersIdAndIdentityAndCompletesOnItsLoop() throws Exception {
        try (TestBackend users = new TestBackend("users"); TestBackend sick = new TestBackend("sick");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(users, sick), new CallModule())) {
            var res = proxy.send(HttpRequest.newBuilder(proxy.uri("/ok")).header("X-User-ID", "u-7")
                    .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("X-On-Loop")).hasValue("true");
            assertThat(res.headers().firstValue("X-Upstream-Type")).hasValue("application/json");
            var echoed = Json.parse(res.body());
            assertThat(echoed.path("backend").asText()).isEqualTo("users");
            assertThat(echoed.path("uri").asText()).isEqualTo("/echo/x");
            var headers = echoed.path("headers");
            assertThat(headers.path("x-request-id").asText()).isEqualTo(res.headers().firstValue("X-Request-Id").orElseThrow());
            assertThat(headers.path("x-user-id").asText()).isEqualTo("u-7");
            // the call is a client span of the caller's hop: same trace, its own span id as the cluster's parent
            String traceparent = headers.path("traceparent").asText();
            assertThat(traceparent).startsWith("00-0af7651916cd43dd8448eb211c80319c-").endsWith("-01")
                    .isNotEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            String callSpan = traceparent.substring(36, 52);
            await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
                var trace = Json.parse(proxy.admin("GET", "/traces/0af7651916cd43dd8448eb211c80319c").body());
                assertThat(trace.path("spans").findValuesAsText("spanId")).contains(callSpan);
                for (var span : trace.path("spans")) {
                    if (span.path("spanId").asText().equals(callSpan)) {
                        assertThat(span.path("kind").asText()).isEqualTo("CLIENT");
                        assertThat(span.path("attributes").path("strait.cluster").asText()).isEqualTo("users");
                        assertThat(span.path("attributes").path("http.response.status_code").asInt()).isEqualTo(200);
                    }
                }
            });
            assertThat(headers.path("x-extra").asText()).isEqualTo("1");
            assertThat(headers.has("host")).isTrue();
            // over HTTP/2 too
            var overH2 = proxy.send(HttpRequest.newBuilder(proxy.uri("/h2")).header("X-User-ID", "u-8").build());
            assertThat(overH2.statusCode()).isEqualTo(200);
            assertThat(Json.parse(overH2.body()).path("backend").asText()).isEqualTo("h2");
            assertThat(Json.parse(overH2.body()).path("headers").path("x-user-id").asText()).isEqualTo("u-8");
            // a 5xx is a response, not a failure
            var status = proxy.get("/status");
            assertThat(status.statusCode()).isEqualTo(503);
            assertThat(Json.parse(status.body()).path("backend").asText()).isEqualTo("users");
        }
    }

    @Test
    void eachFailureCompletesExceptionallySayingWhich() throws Exception {
        try (TestBackend users = new TestBackend("users"); TestBackend sick = new TestBackend("sick");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(users, sick), new CallModule())) {
            assertFailure(proxy, "/unknown", "UNKNOWN_CLUSTER", "unknown cluster 'nope'");
            assertFailure(proxy, "/slow", "TIMEOUT", "no whole response from cluster users");
            assertFailure(proxy, "/big", "RESPONSE_TOO_LARGE", "exceeds 1000 bytes");
            assertFailure(proxy, "/down", "CONNECT_FAILURE", "cannot connect to 127.0.0.1:");
            sick.failHealthChecks(true);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(Json.parse(proxy.get("/sick").body()).path("reason").asText()).isEqualTo("NO_HEALTHY_ENDPOINT"));
            assertFailure(proxy, "/sick", "NO_HEALTHY_ENDPOINT", "no healthy endpoint in cluster sick");
            // the proxy and the cluster's pool still serve
            assertThat(proxy.get("/ok").statusCode()).isEqualTo(200);
            var m = io.strait.proxy.testing.Metrics.scrape(proxy);
            assertThat(m.value("strait_cluster_client_calls_total", Map.of("cluster", "nope", "result", "unknown_cluster"))).isEqualTo(1.0);
            assertThat(m.value("strait_cluster_client_calls_total", Map.of("cluster", "users", "result", "upstream_timeout"))).isEqualTo(1.0);
            assertThat(m.value("strait_cluster_client_calls_total", Map.of("cluster", "users", "result", "ok"))).isEqualTo(1.0);
        }
    }

    @Test
    void clustersAreLookedUpInTheConfigurationCurrentAtCallTime() throws Exception {
        try (TestBackend users = new TestBackend("users"); TestBackend sick = new TestBackend("sick")) {
            Map<String, String> vars = vars(users, sick);
            try (ProxyFixture proxy = ProxyFixture.start(CONFIG, vars, new CallModule())) {
                assertFailure(proxy, "/later", "UNKNOWN_CLUSTER", "unknown cluster 'later'");
                proxy.writeConfig(CONFIG.replace("clusters:\n", "clusters:\n  later: {endpoints: [{address: \"127.0.0.1:${port}\"}]}\n"), vars);
                assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
                var res = proxy.get("/later");
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(Json.parse(res.body()).path("backend").asText()).isEqualTo("users");
            }
        }
    }

    @Test
    void callsOfEveryKindLeaveNoBufferUnreleased() throws Exception {
        try (LeakWatch leaks = new LeakWatch(); TestBackend users = new TestBackend("users"); TestBackend sick = new TestBackend("sick");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(users, sick), new CallModule())) {
            for (int i = 0; i < 20; i++) {
                for (String path : List.of("/ok", "/status", "/big", "/unknown", "/down", "/h2")) proxy.get(path);
            }
            proxy.get("/slow");
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    private static void assertFailure(ProxyFixture proxy, String path, String reason, String message) {
        var res = proxy.get(path);
        assertThat(res.statusCode()).as(path).isEqualTo(502);
        var body = Json.parse(res.body());
        assertThat(body.path("reason").asText()).as(path).isEqualTo(reason);
        assertThat(body.path("message").asText()).as(path).contains(message);
        assertThat(res.headers().firstValue("X-On-Loop")).as(path).hasValue("true");
    }
}
