package io.strait.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponse;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import io.strait.config.model.FilterConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.filter.BodyAccess;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.MessageBody;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Filters declared in config, in order, through a real proxy: the engine knows them only by the
 * factories a module registers. Guards (a filter that throws, one that never answers), body access,
 * reload and refusal.
 */
class DeclaredFiltersTest {
    /** {@code tag: VALUE}: appends VALUE to the request's X-Tag (so the order shows) and sets it on the response. */
    record TagConfig(String value) implements FilterConfig {}

    /** {@code boom: request|response}: throws in that callback. */
    record BoomConfig(String phase) implements FilterConfig {}

    /** {@code stall: {}}: suspends on a future nobody completes. */
    record StallConfig() implements FilterConfig {}

    /** {@code body: {limit: N, over: reject|pass}}: appends "!" to the request body, wraps the response body. */
    record BodyConfig(long limit, BodyAccess.OverLimit over) implements FilterConfig {}

    static final class TestModule implements FilterModule {
        final AtomicInteger prepared = new AtomicInteger();
        final List<CompletableFuture<FilterResult>> stalled = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void prepare(StraitConfig config) {
            prepared.incrementAndGet();
            if (config.routes().stream().anyMatch(r -> r.name().equals("refused"))) {
                throw new IllegalArgumentException("routes[0].name: refused by the module");
            }
        }

        @Override
        public List<FilterFactory<?>> factories() {
            return List.of(
                    factory("tag", TagConfig.class, (n, f) -> new TagConfig(n.string(f, null)), (c, scope) -> new HttpFilter() {
                        @Override
                        public FilterResult onRequest(RequestContext ctx) {
                            String prev = ctx.headers().get("X-Tag");
                            ctx.headers().set("X-Tag", prev == null ? c.value() : prev + "," + c.value());
                            return FilterResult.CONTINUE;
                        }

                        @Override
                        public void onResponse(RequestContext ctx, HttpResponse response) {
                            String prev = response.headers().get("X-Tag-Back");
                            response.headers().set("X-Tag-Back", prev == null ? c.value() : prev + "," + c.value());
                        }
                    }),
                    factory("boom", BoomConfig.class, (n, f) -> new BoomConfig(n.string(f, "request")), (c, scope) -> new HttpFilter() {
                        @Override
                        public FilterResult onRequest(RequestContext ctx) {
                            if (c.phase().equals("request")) throw new IllegalStateException("boom");
                            return FilterResult.CONTINUE;
                        }

                        @Override
                        public void onResponse(RequestContext ctx, HttpResponse response) {
                            if (c.phase().equals("response")) throw new IllegalStateException("boom");
                        }
                    }),
                    factory("stall", StallConfig.class, (n, f) -> {
                        n.skip(f);
                        return new StallConfig();
                    }, (c, scope) -> ctx -> {
                        CompletableFuture<FilterResult> never = new CompletableFuture<>();
                        stalled.add(never);
                        return FilterResult.suspend(never);
                    }),
                    factory("later", StallConfig.class, (n, f) -> {
                        n.skip(f);
                        return new StallConfig();
                    }, (c, scope) -> ctx -> FilterResult.suspend(CompletableFuture.supplyAsync(() -> FilterResult.CONTINUE,
                            CompletableFuture.delayedExecutor(150, java.util.concurrent.TimeUnit.MILLISECONDS)))),
                    factory("body", BodyConfig.class, (n, f) -> {
                        Node b = n.object(f);
                        BodyConfig c = new BodyConfig(b.size("limit", 1024),
                                b.string("over", "reject").equals("pass") ? BodyAccess.OverLimit.PASS : BodyAccess.OverLimit.REJECT);
                        b.finish();
                        return c;
                    }, (c, scope) -> new HttpFilter() {
                        @Override
                        public FilterResult onRequest(RequestContext ctx) {
                            return FilterResult.CONTINUE;
                        }

                        @Override
                        public BodyAccess bodyAccess() {
                            return BodyAccess.request(c.limit(), c.over()).withResponse(c.limit(), c.over());
                        }

                        @Override
                        public FilterResult onRequestBody(RequestContext ctx, MessageBody body) {
                            body.replace(Unpooled.copiedBuffer(body.text(StandardCharsets.UTF_8) + "!", StandardCharsets.UTF_8));
                            return FilterResult.CONTINUE;
                        }

                        @Override
                        public void onResponseBody(RequestContext ctx, HttpResponse response, MessageBody body) {
                            body.replace(("{\"wrapped\":" + body.text(StandardCharsets.UTF_8) + "}").getBytes(StandardCharsets.UTF_8));
                        }
                    }));
        }
    }

    interface Read<C> {
        C read(Node n, String field);
    }

    interface Make<C> {
        HttpFilter make(C config, FilterScope scope);
    }

    static <C extends FilterConfig> FilterFactory<C> factory(String name, Class<C> type, Read<C> read, Make<C> make) {
        return new FilterFactory<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Class<C> configType() {
                return type;
            }

            @Override
            public FilterReader<C> reader() {
                return new FilterReader<>() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public C read(Node entry, String field, io.strait.config.load.FilterReadContext context) {
                        return read.read(entry, field);
                    }
                };
            }

            @Override
            public HttpFilter create(C config, FilterScope scope) {
                return make.make(config, scope);
            }
        };
    }

    private static final String CONFIG = """
            listeners:
              - {name: public, address: 127.0.0.1:0, filters: [{tag: listener}]}
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - {name: ${route}, match: {pathPrefix: /ordered}, cluster: c, filters: [{tag: one}, {tag: two}]}
              - {name: throws, match: {pathPrefix: /throws}, cluster: c, filters: [{tag: seen}, {boom: request}]}
              - {name: throws-late, match: {pathPrefix: /late}, cluster: c, filters: [{tag: seen}, {boom: response}]}
              - {name: stalls, match: {pathPrefix: /stalls}, cluster: c, timeout: 300ms, filters: [{stall: {}}]}
              - {name: bodies, match: {pathPrefix: /bodies}, cluster: c, filters: [{body: {limit: 2KB}}]}
              - {name: long-pass, match: {pathPrefix: /pass}, cluster: c, filters: [{body: {limit: 16, over: pass}}]}
              - {name: later-body, match: {pathPrefix: /later}, cluster: c, filters: [{later: {}}, {body: {limit: 2KB}}]}
            """;

    private static Map<String, String> vars(TestBackend backend, String route) {
        return Map.of("port", "" + backend.port(), "route", route);
    }

    @Test
    void filtersRunInTheOrderWrittenListenerFirstAndResponsesInReverse() throws Exception {
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(backend, "ordered"), new TestModule())) {
            var res = proxy.get("/ordered");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(Json.parse(res.body()).path("headers").path("x-tag").asText()).isEqualTo("listener,one,two");
            assertThat(res.headers().firstValue("X-Tag-Back")).hasValue("two,one,listener");
        }
    }

    @Test
    void aFilterThatThrowsIsAJsonErrorAndACounterNamingRouteAndFilter() throws Exception {
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(backend, "ordered"), new TestModule())) {
            var res = proxy.get("/throws");
            assertThat(res.statusCode()).isEqualTo(500);
            assertThat(Json.parse(res.body()).path("error").asText()).isEqualTo("filter_error");
            assertThat(Json.parse(res.body()).path("message").asText()).isEqualTo("route throws, filter boom: failed (IllegalStateException)");
            // the filters that saw the request see the local reply on its way out
            assertThat(res.headers().firstValue("X-Tag-Back")).hasValue("seen,listener");
            var late = proxy.get("/late");
            assertThat(late.statusCode()).isEqualTo(500);
            assertThat(Json.parse(late.body()).path("message").asText()).isEqualTo("route throws-late, filter boom: failed (IllegalStateException)");
            // the connection still serves
            assertThat(proxy.get("/ordered").statusCode()).isEqualTo(200);
            Metrics m = Metrics.scrape(proxy);
            assertThat(m.value("strait_filter_errors_total", Map.of("route", "throws", "filter", "boom", "phase", "request"))).isEqualTo(1.0);
            assertThat(m.value("strait_filter_errors_total", Map.of("route", "throws-late", "filter", "boom", "phase", "response"))).isEqualTo(1.0);
            // the exchange of the last request is recorded just after its response is written: wait for it
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    Metrics.scrape(proxy).value("strait_downstream_requests_active", Map.of())).isEqualTo(0.0));
        }
    }

    @Test
    void aFilterThatNeverAnswersIsBoundedByTheRouteTimeout() throws Exception {
        TestModule module = new TestModule();
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(backend, "ordered"), module)) {
            var res = proxy.get("/stalls");
            assertThat(res.statusCode()).isEqualTo(504);
            assertThat(Json.parse(res.body()).path("error").asText()).isEqualTo("filter_timeout");
            assertThat(Json.parse(res.body()).path("message").asText()).isEqualTo("route stalls, filter stall: no answer within the route's timeout");
            // a late answer is let go: nothing is written twice, the proxy still serves
            module.stalled.forEach(f -> f.complete(FilterResult.CONTINUE));
            assertThat(proxy.get("/ordered").statusCode()).isEqualTo(200);
            assertThat(backend.requestCount()).isEqualTo(1);
            assertThat(Metrics.scrape(proxy).value("strait_filter_errors_total",
                    Map.of("route", "stalls", "filter", "stall", "phase", "timeout"))).isEqualTo(1.0);
        }
    }

    @Test
    void aFilterReadsAndReplacesBothBodiesWithinItsLimit() throws Exception {
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(backend, "ordered"), new TestModule())) {
            var res = proxy.send(HttpRequest.newBuilder(proxy.uri("/bodies")).POST(HttpRequest.BodyPublishers.ofString("hello")).build());
            assertThat(res.statusCode()).isEqualTo(200);
            var wrapped = Json.parse(res.body()).path("wrapped");
            assertThat(wrapped.path("bodyBytes").asLong()).isEqualTo(6); // "hello!"
            assertThat(wrapped.path("headers").path("content-length").asText()).isEqualTo("6");
            assertThat(res.headers().firstValue("content-length")).hasValue("" + res.body().getBytes(StandardCharsets.UTF_8).length);
            // over the limit: 413, the upstream never sees it
            int before = backend.requestCount();
            var big = proxy.send(HttpRequest.newBuilder(proxy.uri("/bodies")).POST(HttpRequest.BodyPublishers.ofString("x".repeat(4096))).build());
            assertThat(big.statusCode()).isEqualTo(413);
            assertThat(backend.requestCount()).isEqualTo(before);
        }
    }

    @Test
    void aBodyThatArrivesWhileAFilterIsSuspendedStillReachesTheBodyFilterWhole() throws Exception {
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(backend, "ordered"), new TestModule())) {
            // the body is sent with the head; the first filter answers 150 ms later
            var res = proxy.send(HttpRequest.newBuilder(proxy.uri("/later")).POST(HttpRequest.BodyPublishers.ofString("abc")).build());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(Json.parse(res.body()).path("wrapped").path("bodyBytes").asLong()).isEqualTo(4); // "abc!"
        }
    }

    @Test
    void aBodyOverALimitThatPassesGoesOnUnchanged() throws Exception {
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(backend, "ordered"), new TestModule())) {
            var res = proxy.send(HttpRequest.newBuilder(proxy.uri("/pass")).POST(HttpRequest.BodyPublishers.ofString("y".repeat(100))).build());
            assertThat(res.statusCode()).isEqualTo(200);
            // neither body was changed: the request is over 16 bytes, and so is the echo
            assertThat(Json.parse(res.body()).path("bodyBytes").asLong()).isEqualTo(100);
            assertThat(Json.parse(res.body()).has("wrapped")).isFalse();
        }
    }

    @Test
    void filtersAreRebuiltOnReloadAndARefusedConfigurationKeepsTheOld() throws Exception {
        TestModule module = new TestModule();
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(backend, "first"), module)) {
            proxy.writeConfig(CONFIG.replace("{tag: two}", "{tag: three}"), vars(backend, "second"));
            assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
            assertThat(Json.parse(proxy.get("/ordered").body()).path("headers").path("x-tag").asText()).isEqualTo("listener,one,three");
            proxy.writeConfig(CONFIG, vars(backend, "refused"));
            var reload = proxy.admin("POST", "/reload");
            assertThat(reload.statusCode()).isEqualTo(400);
            assertThat(reload.body()).contains("routes[0].name: refused by the module");
            assertThat(Json.parse(proxy.get("/ordered").body()).path("headers").path("x-tag").asText()).isEqualTo("listener,one,three");
        }
    }

    @Test
    void anUnknownFilterIsAConfigErrorWithItsPath() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - {name: r, match: {pathPrefix: /}, cluster: c, filters: [{tag: a}, {tga: b}]}
                """, "t.yaml", Path.of("."), new TestModule().catalog()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors())
                        .containsExactly("routes[0].filters[1].tga: unknown filter 'tga' (did you mean 'tag'?)"));
    }

    @Test
    void theBareEngineRefusesRoutesThatNeedAuthentication() throws Exception {
        Path file = Files.createTempFile("strait", ".yaml");
        Files.writeString(file, """
                listeners: [{name: public, address: "127.0.0.1:0"}]
                admin: {address: "127.0.0.1:0"}
                auth:
                  apiKeys: {}
                clusters:
                  c: {endpoints: [{address: "127.0.0.1:1"}]}
                routes:
                  - {name: r, match: {pathPrefix: /}, cluster: c, auth: apiKey}
                """);
        StraitConfig config = ConfigLoader.load(file);
        assertThatThrownBy(() -> ProxyServer.start(config, file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("routes[0].auth: this process has no 'auth' filter");
    }
}
