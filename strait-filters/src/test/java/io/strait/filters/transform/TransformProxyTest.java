package io.strait.filters.transform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.filters.StandardFilters;
import io.strait.filters.Wire;
import io.strait.proxy.testing.ProxyFixture;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The transform filter's heads through a real proxy and backend, over HTTP/1.1 and HTTP/2: every operation on
 * request headers, query parameters, the path (template and regex) and the method, and on response headers, in
 * Kong's order. Bodies: {@link TransformBodyProxyTest}.
 */
class TransformProxyTest {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final String CONFIG = """
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - name: users
                match: {pathTemplate: "/api/users/{id}"}
                cluster: c
                filters:
                  - transform:
                      request:
                        headers: {remove: [X-Debug], rename: {X-Old: X-New}, replace: {X-A: v, X-Absent: never},
                                  add: {X-Client: "%client_ip%", X-Present: not-added, X-User: "u-%path_param.id%"},
                                  append: {X-Via: strait}}
                        query: {remove: [debug], rename: {q: search}, replace: {limit: "50", nolimit: "1"},
                                add: {source: gateway, search: not-added, who: "%route% %query.q%"}, append: {tag: x}}
                        path: {template: "/internal/users/{id}"}
                        method: POST
                      response:
                        headers: {remove: [X-Backend-Secret], rename: {X-Old-Resp: X-New-Resp}, replace: {X-Served: "%route%", X-Nope: "x"},
                                  add: {X-Added: "yes", X-Via: not-added}, append: {X-Via: strait}}
              - name: v1
                match: {pathPrefix: /api/v1/}
                cluster: c
                filters:
                  - transform: {request: {path: {regex: "^/api/v1/(?<rest>.*)$", replacement: "/v1/$${rest}"}}}
              - name: tail
                match: {pathPrefix: /tail}
                cluster: c
                filters:
                  - transform: {request: {path: {regex: "/(\\\\d+)$", replacement: "/id-$1"}, method: PUT}}
            """;

    static ProxyFixture start(String config, JsonBackend backend) throws Exception {
        return ProxyFixture.start(config, Map.of("port", "" + backend.port()), StandardFilters::factories);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void requestHeadersQueryPathAndMethodChangeInKongsOrder(Wire wire) throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(CONFIG, backend)) {
            backend.reply("/internal/users/42", 200, Map.of("Content-Type", "application/json", "X-Backend-Secret", "s",
                    "X-Old-Resp", "o", "X-Served", "backend", "X-Via", "b"), "{}".getBytes());
            var r = wire.get(proxy, "/api/users/42?debug=1&q=caf%C3%A9&limit=10&keep=a%20b&debug=2",
                    Map.of("X-Debug", "1", "X-Old", "old", "X-A", "a", "X-Present", "p", "X-Via", "lb"));
            assertThat(r.status()).isEqualTo(200);
            JsonBackend.Received got = backend.last();
            assertThat(got.method()).isEqualTo("POST");
            // remove debug (both), rename q, replace limit (nolimit absent: nothing), add source (search exists), append tag
            assertThat(got.uri()).isEqualTo("/internal/users/42?search=caf%C3%A9&limit=50&keep=a%20b&source=gateway"
                    + "&who=users%20caf%C3%A9&tag=x");
            assertThat(got.header("X-Debug")).isNull();
            assertThat(got.header("X-Old")).isNull();
            assertThat(got.header("X-New")).isEqualTo("old");
            assertThat(got.header("X-A")).isEqualTo("v");
            assertThat(got.header("X-Absent")).isNull();
            assertThat(got.header("X-Client")).isEqualTo("127.0.0.1");
            assertThat(got.header("X-Present")).isEqualTo("p");
            assertThat(got.header("X-User")).isEqualTo("u-42");
            assertThat(got.all("X-Via")).containsExactly("lb", "strait");
            // the response side
            assertThat(r.has("X-Backend-Secret")).isFalse();
            assertThat(r.has("X-Old-Resp")).isFalse();
            assertThat(r.header("X-New-Resp")).isEqualTo("o");
            assertThat(r.header("X-Served")).isEqualTo("users");
            assertThat(r.has("X-Nope")).isFalse();
            assertThat(r.header("X-Added")).isEqualTo("yes");
            assertThat(r.headers().get("x-via")).containsExactly("b", "strait");
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aRegexRewritesThePathWithItsCapturesAndKeepsTheQuery(Wire wire) throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(CONFIG, backend)) {
            assertThat(wire.get(proxy, "/api/v1/orders/7?x=1", Map.of()).status()).isEqualTo(200);
            assertThat(backend.last().uri()).isEqualTo("/v1/orders/7?x=1");
            assertThat(backend.last().method()).isEqualTo("GET");
            // the first match anywhere in the path; no match: the path is unchanged
            wire.get(proxy, "/tail/items/12", Map.of());
            assertThat(backend.last().uri()).isEqualTo("/tail/items/id-12");
            assertThat(backend.last().method()).isEqualTo("PUT");
            wire.get(proxy, "/tail/items/x", Map.of());
            assertThat(backend.last().uri()).isEqualTo("/tail/items/x");
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aHeadRequestKeepsItsMethod(Wire wire) throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(CONFIG, backend)) {
            var r = wire.send(proxy, "HEAD", "/tail/7", Map.of());
            assertThat(r.status()).isEqualTo(200);
            assertThat(backend.last().method()).isEqualTo("HEAD");
            assertThat(backend.last().uri()).isEqualTo("/tail/id-7");
        }
    }

    @org.junit.jupiter.api.Test
    void theSettingsShowAsWrittenInGetConfigAndLoadAgain() throws Exception {
        String config = CONFIG + """
                  - name: bodies
                    match: {pathPrefix: /bodies}
                    cluster: c
                    filters:
                      - transform:
                          request: {body: {maxSize: 2KiB, remove: [/a~1b], add: {/n: "50", /s: "%route%"}}}
                          response: {body: {overLimit: reject, append: {/tags: x}}}
                """;
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(config, backend)) {
            var res = proxy.admin("GET", "/config");
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode routes = json(res.body()).path("routes");
            JsonNode users = routes.path(0).path("filters").path(0).path("transform");
            assertThat(users.path("request").path("headers").path("add").toString())
                    .isEqualTo("{\"X-Client\":\"%client_ip%\",\"X-Present\":\"not-added\",\"X-User\":\"u-%path_param.id%\"}");
            assertThat(users.path("request").path("path").path("template").asText()).isEqualTo("/internal/users/{id}");
            JsonNode bodies = routes.path(3).path("filters").path(0).path("transform");
            assertThat(bodies.path("request").path("body").path("maxSize").asLong()).isEqualTo(2048);
            assertThat(bodies.path("response").path("body").path("overLimit").asText()).isEqualTo("reject");
            // what GET /config shows loads again to the same settings
            var catalog = io.strait.proxy.filter.FilterModule.catalogOf(StandardFilters.factories());
            StringBuilder filters = new StringBuilder("[");
            for (int i = 0; i < 4; i++) filters.append(i == 0 ? "" : ",").append(routes.path(i).path("filters").path(0).toString());
            String again = """
                    {"clusters": {"c": {"endpoints": [{"address": "127.0.0.1:1"}]}},
                     "routes": [{"name": "r", "match": {"pathTemplate": "/api/users/{id}"}, "cluster": "c", "filters": %s}]}
                    """.formatted(filters.append("]"));
            var reloaded = io.strait.config.load.ConfigLoader.parse(again, "again", java.nio.file.Path.of("."), catalog);
            var original = io.strait.config.load.ConfigLoader.parse(ProxyFixture.substitute(config, Map.of("port", "1")), "t",
                    java.nio.file.Path.of("."), catalog);
            assertThat(reloaded.routes().get(0).filters()).extracting(f -> f.config())
                    .isEqualTo(original.routes().stream().map(r -> r.filters().get(0).config()).toList());
        }
    }

    /** Parses JSON text for tree comparisons (member order aside). */
    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
