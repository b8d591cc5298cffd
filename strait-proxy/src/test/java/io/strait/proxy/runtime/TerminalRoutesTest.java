package io.strait.proxy.runtime;

import static io.strait.proxy.runtime.DeclaredFiltersTest.factory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.load.FilterReader;
import io.strait.config.load.ConfigValidator;
import io.strait.config.model.FilterConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.filter.BodyAccess;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.MessageBody;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.Downstream;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProtocolClients;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine pieces that filters which answer requests themselves need: a reply with any body (HEAD
 * gets its length only; response filters see it), body callbacks that suspend (bounded by the route's
 * timeout), and routes without a cluster when a terminal filter serves them.
 */
class TerminalRoutesTest {
    record Mode(String value) implements FilterConfig {}

    /** {@code answer: TEXT} answers {"answer":TEXT}; {@code echoLater: MODE} reads the body and answers (or goes on) later. */
    static final class Module implements FilterModule {
        @Override
        public List<FilterFactory<?>> factories() {
            FilterFactory<Mode> answer = factory("answer", Mode.class, (n, f) -> new Mode(n.string(f, "")), (c, scope) -> ctx ->
                    FilterResult.reply(HttpResponseStatus.CREATED, List.of(Map.entry("Content-Type", "application/json"),
                            Map.entry("X-Answer", "yes")), ("{\"answer\":\"" + c.value() + "\"}").getBytes(StandardCharsets.UTF_8)));
            FilterFactory<Mode> echoLater = factory("echoLater", Mode.class, (n, f) -> new Mode(n.string(f, "")), (c, scope) -> new HttpFilter() {
                @Override
                public FilterResult onRequest(RequestContext ctx) {
                    return FilterResult.CONTINUE;
                }

                @Override
                public BodyAccess bodyAccess() {
                    return BodyAccess.request(4096, BodyAccess.OverLimit.REJECT);
                }

                @Override
                public FilterResult onRequestBody(RequestContext ctx, MessageBody body) {
                    String text = body.text(StandardCharsets.UTF_8);
                    if (c.value().equals("stall")) return FilterResult.suspend(new CompletableFuture<>());
                    CompletableFuture<FilterResult> later = CompletableFuture.supplyAsync(() -> FilterResult.onLoop(x -> {
                        if (c.value().equals("replace")) {
                            body.replace(Unpooled.copiedBuffer(text.toUpperCase() + "!", StandardCharsets.UTF_8));
                            return FilterResult.CONTINUE;
                        }
                        return FilterResult.reply(HttpResponseStatus.OK, List.of(Map.entry("Content-Type", "text/plain")),
                                ("got " + text).getBytes(StandardCharsets.UTF_8));
                    }), CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
                    return FilterResult.suspend(later);
                }
            });
            FilterFactory<Mode> tag = factory("tag", Mode.class, (n, f) -> new Mode(n.string(f, "")), (c, scope) -> new HttpFilter() {
                @Override
                public FilterResult onRequest(RequestContext ctx) {
                    return FilterResult.CONTINUE;
                }

                @Override
                public void onResponse(RequestContext ctx, HttpResponse response) {
                    response.headers().set("X-Tag", c.value());
                }
            });
            return List.of(terminal(answer), terminal(echoLater), tag);
        }
    }

    /** {@code f}, answering every request itself. */
    static <C extends FilterConfig> FilterFactory<C> terminal(FilterFactory<C> f) {
        return new FilterFactory<>() {
            @Override
            public String name() {
                return f.name();
            }

            @Override
            public Class<C> configType() {
                return f.configType();
            }

            @Override
            public FilterReader<C> reader() {
                return f.reader();
            }

            @Override
            public boolean terminal() {
                return true;
            }

            @Override
            public HttpFilter create(C config, FilterScope scope) {
                return f.create(config, scope);
            }
        };
    }

    private static final String CONFIG = """
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - {name: answers, match: {path: /answer}, filters: [{tag: seen}], answer: hello}
              - {name: listed, match: {path: /listed}, filters: [{tag: seen}, {answer: listed}]}
              - {name: reads, match: {path: /reads}, echoLater: reply}
              - {name: stalls, match: {path: /stalls}, timeout: 300ms, echoLater: stall}
              - {name: replaces, match: {path: /replaces}, cluster: c, filters: [{echoLater: replace}]}
            """;

    @ParameterizedTest
    @EnumSource(ClientProtocol.class)
    void aFilterAnswersWithItsOwnBodyAndTheResponseFiltersSeeIt(ClientProtocol protocol) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProtocolClients clients = new ProtocolClients(protocol);
                ProxyFixture started = ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port()), new Module())) {
            Downstream proxy = clients.of(started);
            for (String path : List.of("/answer", "/listed")) {
                var res = proxy.get(path);
                assertThat(res.statusCode()).isEqualTo(201);
                String expected = path.equals("/answer") ? "{\"answer\":\"hello\"}" : "{\"answer\":\"listed\"}";
                assertThat(res.body()).isEqualTo(expected);
                assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
                assertThat(res.headers().firstValue("Content-Length")).hasValue("" + expected.length());
                assertThat(res.headers().firstValue("X-Answer")).hasValue("yes");
                assertThat(res.headers().firstValue("X-Request-Id")).isPresent();
                assertThat(res.headers().firstValue("X-Tag")).hasValue("seen");
            }
            // HEAD: the length of what a GET gets, no body; the connection goes on serving
            var head = proxy.send(HttpRequest.newBuilder(started.uri("/answer")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            assertThat(head.statusCode()).isEqualTo(201);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("Content-Length")).hasValue("" + "{\"answer\":\"hello\"}".length());
            assertThat(proxy.get("/answer").statusCode()).isEqualTo(201);
            assertThat(backend.requestCount()).isZero();
            assertThat(Metrics.scrape(started).sum("strait_requests_total",
                    Map.of("route", "answers", "code_class", "2xx"))).isGreaterThanOrEqualTo(2.0);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientProtocol.class)
    void aBodyCallbackSuspendsAndAnswersOrGoesOnAndIsBoundedByTheRouteTimeout(ClientProtocol protocol) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProtocolClients clients = new ProtocolClients(protocol);
                ProxyFixture started = ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port()), new Module())) {
            Downstream proxy = clients.of(started);
            var reply = proxy.send(HttpRequest.newBuilder(started.uri("/reads")).POST(HttpRequest.BodyPublishers.ofString("query")).build());
            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo("got query");
            var replaced = proxy.send(HttpRequest.newBuilder(started.uri("/replaces")).POST(HttpRequest.BodyPublishers.ofString("abc")).build());
            assertThat(replaced.statusCode()).isEqualTo(200);
            assertThat(Json.parse(replaced.body()).path("bodyBytes").asLong()).isEqualTo(4); // "ABC!"
            var stalled = proxy.send(HttpRequest.newBuilder(started.uri("/stalls")).POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertThat(stalled.statusCode()).isEqualTo(504);
            assertThat(Json.parse(stalled.body()).path("error").asText()).isEqualTo("filter_timeout");
            assertThat(Json.parse(stalled.body()).path("message").asText())
                    .isEqualTo("route stalls, filter echoLater: no answer within the route's timeout");
            assertThat(proxy.get("/answer").statusCode()).isEqualTo(201);
        }
    }

    @Test
    void onlyARouteWithAFilterThatAnswersEveryRequestMayOmitItsCluster() throws Exception {
        var catalog = new Module().catalog();
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - {name: a, match: {path: /a}, answer: x}
                  - {name: b, match: {path: /b}, filters: [{tag: x}]}
                """, "t.yaml", Path.of("."), catalog))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "routes[1].cluster: required (or a filter that answers every request, e.g. aggregate or graphql)"));
        // the model validator says the same of a model built by code
        StraitConfig ok = ConfigLoader.parse("""
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - {name: a, match: {path: /a}, answer: x}
                  - {name: b, match: {path: /b}, cluster: c, filters: [{tag: x}]}
                """, "t.yaml", Path.of("."), catalog);
        assertThat(ConfigValidator.validate(ok, catalog)).isEmpty();
        RouteConfig b = ok.routes().get(1);
        StraitConfig broken = withRoutes(ok, List.of(ok.routes().get(0), new RouteConfig(b.name(), b.match(), null, b.rewrite(),
                b.timeout(), b.maxRequestBodySize(), b.filters(), b.retries(), b.idleTimeout(), b.timeoutHeader(), b.traffic())));
        assertThat(ConfigValidator.validate(broken, catalog))
                .containsExactly("routes[1].cluster: required (or a filter that answers every request, e.g. aggregate or graphql)");
    }

    private static StraitConfig withRoutes(StraitConfig c, List<RouteConfig> routes) {
        return new StraitConfig(c.admin(), c.listeners(), c.clusters(), routes, c.observability(), c.zone(), c.drainTimeout(),
                c.auth(), c.rateLimits(), c.mesh());
    }
}
