package io.strait.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.gateway.GatewayFilters;
import io.strait.gateway.StandardAuthenticators;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.ProxyFixture;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The graphql filter in a real gateway: a route with {@code graphql:} and no cluster, behind API-key auth,
 * its REST calls through the engine's cluster client to a real backend (identity and request id on each).
 */
class GraphqlGatewayTest {
    static final String CONFIG = """
            auth:
              apiKeys: {store: {type: file, path: "${keys}"}}
            rateLimits:
              policies:
                per-key: {limit: 1000, window: 1m, key: [client]}
            clusters:
              users: {endpoints: [{address: "127.0.0.1:${port}"}]}
              orders: {endpoints: [{address: "127.0.0.1:${port}"}]}
              products: {endpoints: [{address: "127.0.0.1:${port}"}]}
              down: {endpoints: [{address: "127.0.0.1:${closed}"}]}
            routes:
              - name: graphql
                match: {path: /graphql, methods: [POST, GET]}
                auth: apiKey
                rateLimit: [per-key]
                graphql:
                  schemaFile: schema.graphql
            """ + Graphql.RESOLVERS.indent(6) + """
                  limits: {maxBodySize: 2KiB}
              - name: down
                match: {path: /graphql-down}
                graphql:
                  schemaFile: schema.graphql
                  resolvers:
                    Query.user: {cluster: down, path: "/users/{args.id}"}
                    Query.orders: {cluster: orders, path: /orders, query: {limit: "{args.limit}"}}
                    Order.user: {cluster: users, path: /users, query: {ids: "{keys}"}, batch: {key: userId, match: id}, result: /nothing}
            """;

    static RestBackend backend;
    static ProxyFixture gw;
    static IssuedKey key;

    @BeforeAll
    static void start() throws Exception {
        backend = new RestBackend();
        Path dir = Files.createTempDirectory("strait-graphql");
        Graphql.write(dir.resolve("schema.graphql"), Graphql.SCHEMA);
        Path keys = dir.resolve("apikeys.json");
        try (FileApiKeyStore store = FileApiKeyStore.open(keys)) {
            key = IssuedKey.issue(store, "acme", "gold", List.of("orders:read"), List.of(), null, java.time.Instant.now());
        }
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        gw = ProxyFixture.start(CONFIG, Map.of("keys", keys.toString(), "port", backend.base().replaceAll(".*:", ""),
                        "closed", String.valueOf(closed)),
                new GatewayFilters(new StandardAuthenticators()), dir);
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        if (backend != null) backend.close();
    }

    int before;

    @BeforeEach
    void mark() {
        before = backend.calls().size();
    }

    private List<RestBackend.Call> newCalls() {
        List<RestBackend.Call> all = backend.calls();
        return all.subList(before, all.size());
    }

    private HttpResponse<String> post(String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/graphql")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return gw.send(b.build());
    }

    @Test
    void aNestedQueryMakesTwoCallsEachWithTheCallersIdentityAndRequestId() throws Exception {
        HttpResponse<String> r = post("{\"query\":\"{ orders(limit: 6) { id user { name } } }\"}", "X-API-Key", key.key(),
                "X-Request-Id", "graphql-e2e-1", "X-Tenant-ID", "forged");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().firstValue("X-Request-Id")).hasValue("graphql-e2e-1");
        assertThat(r.headers().firstValue("X-RateLimit-Limit")).hasValue("1000"); // the route's limits, as a proxied answer's
        JsonNode body = Graphql.JSON.readTree(r.body());
        assertThat(body.path("data").path("orders")).hasSize(6);
        assertThat(body.path("data").path("orders").get(5).path("user").path("name").asText()).isEqualTo("user 3");
        assertThat(body.has("errors")).isFalse();
        List<RestBackend.Call> calls = newCalls();
        assertThat(calls).extracting(RestBackend.Call::target).containsExactly("/orders?limit=6", "/users?ids=1,2,3");
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.requestId()).isEqualTo("graphql-e2e-1");
            assertThat(c.tenant()).isEqualTo("acme");
        });
    }

    @Test
    void aGetRunsAQueryAndTheGraphqlResponseMediaTypeGets400ForErrors() throws Exception {
        String q = URLEncoder.encode("{ user(id: 9) { name } }", StandardCharsets.UTF_8);
        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri("/graphql?query=" + q)).header("X-API-Key", key.key()).GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"data\":{\"user\":{\"name\":\"user 9\"}}}");

        HttpResponse<String> bad = post("{\"query\":\"{ user(id: 9) { nope } }\"}", "X-API-Key", key.key(),
                "Accept", "application/graphql-response+json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/graphql-response+json");
        assertThat(Graphql.JSON.readTree(bad.body()).path("errors").get(0).path("extensions").path("code").asText())
                .isEqualTo("GRAPHQL_VALIDATION_FAILED");
    }

    @Test
    void malformedAndOversizedBodiesAreGraphqlErrorsAndNothingGoesUpstream() throws Exception {
        HttpResponse<String> r = post("{oops", "X-API-Key", key.key());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Graphql.JSON.readTree(r.body()).path("errors").get(0).path("message").asText()).isEqualTo("the body is not JSON");
        HttpResponse<String> big = post("{\"query\":\"" + " ".repeat(3000) + "{ text { id } }\"}", "X-API-Key", key.key());
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(Graphql.JSON.readTree(big.body()).path("errors").get(0).path("extensions").path("code").asText())
                .isEqualTo("REQUEST_TOO_LARGE");
        HttpResponse<String> noKey = post("{\"query\":\"{ orders { id } }\"}");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(newCalls()).isEmpty();
    }

    @Test
    void aPostWithoutABodyIsAGraphqlErrorOverHttp1AndHttp2() throws Exception {
        // found running docs/guides/graphql.md by hand: `curl -X POST` was 503 no_cluster (the body callback never ran)
        HttpResponse<String> empty = gw.send(HttpRequest.newBuilder(gw.uri("/graphql")).header("Content-Type", "application/json")
                .header("X-API-Key", key.key()).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(Graphql.JSON.readTree(empty.body()).path("errors").get(0).path("extensions").path("code").asText())
                .isEqualTo("BAD_REQUEST");
        String raw = gw.raw("POST /graphql HTTP/1.1\r\nHost: x\r\nX-API-Key: " + key.key()
                + "\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n", 5000);
        assertThat(raw).startsWith("HTTP/1.1 400 ").contains("\"BAD_REQUEST\"");
        try (H2Client h2 = new H2Client("127.0.0.1", gw.port())) {
            H2Client.Response r = h2.request(io.netty.handler.codec.http.HttpMethod.POST, "/graphql",
                    Map.of("X-API-Key", key.key(), "Content-Type", "application/json"), null).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("\"BAD_REQUEST\"");
        }
        assertThat(newCalls()).isEmpty();
    }

    @Test
    void anUpstreamFailureIsPartialData() throws Exception {
        HttpResponse<String> r = post("{\"query\":\"{ orders(limit: 1) { id user { name } product { name } } }\"}",
                "X-API-Key", key.key());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = Graphql.JSON.readTree(r.body());
        assertThat(body.path("data").path("orders").get(0).path("user").path("name").asText()).isEqualTo("user 1");
        assertThat(body.path("data").path("orders").get(0).path("product").path("name").asText()).isEqualTo("product 10");
        backend.fail("/products", 502);
        try {
            JsonNode partial = Graphql.JSON.readTree(post("{\"query\":\"{ orders(limit: 1) { id product { name } } }\"}",
                    "X-API-Key", key.key()).body());
            assertThat(partial.path("data").path("orders").get(0).path("id").asText()).isEqualTo("100");
            assertThat(partial.path("data").path("orders").get(0).path("product").isNull()).isTrue();
            assertThat(partial.path("errors").get(0).path("path").toString()).isEqualTo("[\"orders\",0,\"product\"]");
        } finally {
            backend.heal();
        }
    }

    /** The engine client's failures, in words for the client: the cluster, never an endpoint's address. */
    @Test
    void aClusterThatRefusesAndAnAnswerWithoutTheResultAreFieldErrors() throws Exception {
        HttpResponse<String> r = gw.send(HttpRequest.newBuilder(gw.uri("/graphql-down")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ user(id: 1) { name } orders(limit: 1) { id user { name } } }\"}"))
                .build());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = Graphql.JSON.readTree(r.body());
        assertThat(body.path("data").path("user").isNull()).isTrue();
        assertThat(body.path("data").path("orders").get(0).path("id").asText()).isEqualTo("100");
        assertThat(body.path("errors")).hasSize(2);
        assertThat(r.body()).contains("\"message\":\"down did not answer (upstream_connect_failure)\"",
                "\"message\":\"the answer of users has nothing at /nothing\"").doesNotContain("127.0.0.1");
    }

    @Test
    void aBadMappingRefusesTheConfigurationNamingThePath() throws Exception {
        Path dir = Files.createTempDirectory("strait-graphql-bad");
        Graphql.write(dir.resolve("schema.graphql"), Graphql.SCHEMA);
        String yaml = """
                clusters: {users: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - name: graphql
                    match: {path: /graphql}
                    graphql:
                      schemaFile: schema.graphql
                      resolvers:
                        Order.buyer: {cluster: users, path: /users, query: {ids: "{keys}"}, batch: {key: userId, match: id}}
                """;
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "t.yaml", dir, GatewayFilters.CATALOG))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors())
                        .containsExactly("routes[0].graphql.resolvers.Order.buyer: the schema's type Order has no field buyer"));
    }
}
