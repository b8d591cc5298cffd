package io.strait.filters.headers;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import io.strait.config.model.FilterConfig;
import io.strait.filters.StandardFilters;
import io.strait.filters.Wire;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The headers filter through a real proxy and backend, over HTTP/1.1 and HTTP/2: every variable, Kong's
 * order, {@code %%}, response changes on upstream answers and local replies, and CR/LF smuggled in a
 * query parameter never reaching the upstream.
 */
class HeadersProxyTest {
    /** {@code claims: {}}: puts verified-looking claims into the context, as an auth filter does. */
    record ClaimsConfig() implements FilterConfig {}

    static final class Module implements FilterModule {
        @Override
        public List<FilterFactory<?>> factories() {
            List<FilterFactory<?>> all = new ArrayList<>(StandardFilters.factories());
            all.add(new FilterFactory<ClaimsConfig>() {
                @Override
                public String name() {
                    return "claims";
                }

                @Override
                public Class<ClaimsConfig> configType() {
                    return ClaimsConfig.class;
                }

                @Override
                public FilterReader<ClaimsConfig> reader() {
                    return new FilterReader<>() {
                        @Override
                        public String name() {
                            return "claims";
                        }

                        @Override
                        public ClaimsConfig read(Node entry, String field, io.strait.config.load.FilterReadContext context) {
                            entry.skip(field);
                            return new ClaimsConfig();
                        }
                    };
                }

                @Override
                public HttpFilter create(ClaimsConfig config, FilterScope scope) {
                    return ctx -> {
                        ctx.claims(Map.of("sub", "user-7", "roles", List.of("admin", "ops"), "level", 3, "ratio", 2.5,
                                "bad", "a\r\nInjected: yes"));
                        return FilterResult.CONTINUE;
                    };
                }
            });
            return all;
        }
    }

    private static final String CONFIG = """
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - name: users
                match: {pathTemplate: "/users/{id}"}
                cluster: c
                filters:
                  - claims: {}
                  - headers:
                      request:
                        set: {X-Route: "%route%", X-Client-Ip: "%client_ip%", X-Req: "id=%request_id%", X-User: "%path_param.id%",
                              X-Page: "%query.page%", X-Sub: "%claim.sub%", X-Roles: "%claim.roles%", X-Level: "%claim.level%",
                              X-Ratio: "%claim.ratio%", X-Pct: "100%% %route%", X-Missing: "%claim.nope%", X-Bad: "%claim.bad%"}
                      response:
                        remove: [X-Backend]
                        set: {X-Served-By: "%route%/%path_param.id%"}
              - name: order
                match: {pathPrefix: /order}
                cluster: c
                filters:
                  - headers:
                      request:
                        remove: [X-A]
                        rename: {X-Old: X-A}
                        set: {X-B: b}
                        add: {X-A: added, X-B: not-added, X-C: c}
                        append: {X-A: appended, X-B: b2}
              - name: local
                match: {pathPrefix: /local}
                cluster: c
                fault: {abort: {status: 429}}
                filters:
                  - headers: {response: {set: {X-Answered-By: gateway}, remove: [Cache-Control]}}
            """;

    private static final String LISTENER = """
            listeners:
              - name: public
                address: 127.0.0.1:0
                filters:
                  - headers: {request: {set: {X-Early-Page: "%query.page%", X-Early-Route: "%route%"}},
                              response: {set: {X-Route-Seen: "%route%", X-Id: "%request_id%"}}}
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - {name: app, match: {pathPrefix: /app}, cluster: c}
            """;

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aListenersFilterRunsBeforeRoutingAndOnItsOwn404s(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(LISTENER, Map.of("port", "" + backend.port()), new Module())) {
            var r = wire.get(proxy, "/app?page=9", Map.of("X-Request-Id", "rid-1", "X-Early-Route", "forged"));
            assertThat(r.status()).isEqualTo(200);
            HttpHeaders h = backend.received().get(0).headers();
            assertThat(h.get("X-Early-Page")).isEqualTo("9");
            assertThat(h.contains("X-Early-Route")).isFalse(); // no route yet: no value, and the client's copy is gone
            assertThat(r.header("X-Route-Seen")).isEqualTo("app");
            var missing = wire.get(proxy, "/nowhere", Map.of("X-Request-Id", "rid-2"));
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.header("X-Id")).isEqualTo("rid-2");
            assertThat(missing.has("X-Route-Seen")).isFalse();
        }
    }

    private static ProxyFixture start(TestBackend backend) throws Exception {
        return ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port()), new Module());
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void everyVariableReachesTheUpstream(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(backend)) {
            var r = wire.get(proxy, "/users/42?page=3&x=y", Map.of("X-Request-Id", "req-abc", "X-Missing", "from-client"));
            assertThat(r.status()).isEqualTo(200);
            HttpHeaders h = backend.received().get(0).headers();
            assertThat(h.get("X-Route")).isEqualTo("users");
            assertThat(h.get("X-Client-Ip")).isEqualTo("127.0.0.1");
            assertThat(h.get("X-Req")).isEqualTo("id=req-abc");
            assertThat(h.get("X-User")).isEqualTo("42");
            assertThat(h.get("X-Page")).isEqualTo("3");
            assertThat(h.get("X-Sub")).isEqualTo("user-7");
            assertThat(h.get("X-Roles")).isEqualTo("admin,ops");
            assertThat(h.get("X-Level")).isEqualTo("3");
            assertThat(h.get("X-Ratio")).isEqualTo("2.5");
            assertThat(h.get("X-Pct")).isEqualTo("100% users");
            // no value: not sent, and the client's own copy of a set header is gone
            assertThat(h.contains("X-Missing")).isFalse();
            // a claim with CR/LF is never sent
            assertThat(h.contains("X-Bad")).isFalse();
            assertThat(h.contains("Injected")).isFalse();
            // the response side: the upstream's header removed, a variable in a set value
            assertThat(r.has("X-Backend")).isFalse();
            assertThat(r.header("X-Served-By")).isEqualTo("users/42");
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void crLfOrNulDecodedFromAQueryParameterIsNeverSent(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(backend)) {
            for (String attack : new String[] {"1%0d%0aInjected:%20yes", "1%0aX-Evil:1", "1%00", "1%7f"}) {
                var r = wire.get(proxy, "/users/1?page=" + attack, Map.of());
                assertThat(r.status()).as(attack).isEqualTo(200);
            }
            assertThat(backend.received()).hasSize(4).allSatisfy(req -> {
                assertThat(req.headers().contains("X-Page")).isFalse();
                assertThat(req.headers().contains("Injected")).isFalse();
                assertThat(req.headers().contains("X-Evil")).isFalse();
                assertThat(req.headers().get("X-Route")).isEqualTo("users");
            });
            // decoded, but harmless: sent
            wire.get(proxy, "/users/1?page=a%20b+c", Map.of());
            assertThat(backend.received().get(4).headers().get("X-Page")).isEqualTo("a b c");
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void theVerbsRunRemoveRenameSetAddAppend(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(backend)) {
            wire.get(proxy, "/order", Map.of("X-A", "client", "X-Old", "old-value"));
            HttpHeaders h = backend.received().get(0).headers();
            // remove dropped the client's X-A before rename brought X-Old's value; add saw it present; append added
            assertThat(h.getAll("X-A")).containsExactly("old-value", "appended");
            assertThat(h.contains("X-Old")).isFalse();
            // set created X-B, so add skipped it, and append added a second value
            assertThat(h.getAll("X-B")).containsExactly("b", "b2");
            assertThat(h.getAll("X-C")).containsExactly("c");
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aLocalReplyGetsTheResponseChangesToo(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(backend)) {
            var r = wire.get(proxy, "/local", Map.of());
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.header("X-Answered-By")).isEqualTo("gateway");
            assertThat(r.has("Cache-Control")).isFalse();
            assertThat(backend.requestCount()).isZero();
        }
    }
}
