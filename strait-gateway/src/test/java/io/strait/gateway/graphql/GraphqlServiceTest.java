package io.strait.gateway.graphql;

import static io.strait.gateway.graphql.Graphql.codes;
import static io.strait.gateway.graphql.Graphql.json;
import static io.strait.gateway.graphql.Graphql.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fields answered by REST calls on a real backend: nesting with batching (calls counted), partial data, identity. */
class GraphqlServiceTest {
    @TempDir
    Path dir;
    RestBackend backend;
    GraphqlService service;
    RestCaller caller;

    @BeforeEach
    void start() throws Exception {
        backend = new RestBackend();
        service = Graphql.service(dir, "");
        caller = HttpRestCaller.of(Graphql.clusters(backend), "alice", "req-1");
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    private GraphqlAnswer query(String q) {
        return run(service, GraphqlRequest.of(q), caller);
    }

    @Test
    void tenOrdersWithTheirUsersCostTwoCallsNotEleven() {
        GraphqlAnswer a = query("{ orders(limit: 10) { id user { id name } } }");
        assertThat(a.status()).isEqualTo(200);
        JsonNode orders = json(a).path("data").path("orders");
        assertThat(orders).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(orders.get(i).path("user").path("id").asText()).isEqualTo(String.valueOf(i % 3 + 1));
            assertThat(orders.get(i).path("user").path("name").asText()).isEqualTo("user " + (i % 3 + 1));
        }
        assertThat(json(a).has("errors")).isFalse();
        assertThat(backend.count("/orders")).isEqualTo(1);
        assertThat(backend.count("/users")).isEqualTo(1);
        assertThat(backend.calls()).hasSize(2);
        // the distinct keys, comma-joined, in one call
        assertThat(backend.calls().stream().filter(c -> c.target().startsWith("/users")).findFirst().orElseThrow().target())
                .isEqualTo("/users?ids=1,2,3");
    }

    @Test
    void usersAndProductsOfOrdersAreOneCallEach() {
        GraphqlAnswer a = query("{ orders(limit: 25) { id total user { name } product { name price } } }");
        JsonNode orders = json(a).path("data").path("orders");
        assertThat(orders).hasSize(25);
        assertThat(orders.get(1).path("product").path("name").asText()).isEqualTo("product 11");
        assertThat(orders.get(1).path("total").asDouble()).isEqualTo(11.5);
        assertThat(backend.count("/orders")).isEqualTo(1);
        assertThat(backend.count("/users")).isEqualTo(1);
        assertThat(backend.count("/products")).isEqualTo(1);
    }

    @Test
    void argumentsGoIntoThePathAndQueryAndOnlyRequestedFieldsComeBack() {
        GraphqlAnswer a = query("{ user(id: \"7 b\") { name } orders(limit: 3) { id } }");
        assertThat(json(a).path("data").path("user").toString()).isEqualTo("{\"name\":\"user 7 b\"}");
        assertThat(backend.calls()).extracting(RestBackend.Call::target)
                .containsExactlyInAnyOrder("/users/7%20b", "/orders?limit=3");
        // an argument left out leaves its query parameter out
        query("{ orders { id } }");
        assertThat(backend.calls()).extracting(RestBackend.Call::target).contains("/orders");
    }

    @Test
    void aFailingClusterLeavesItsFieldsNullWithErrorsAndTheRestOfTheData() {
        backend.fail("/products", 503);
        GraphqlAnswer a = query("{ orders(limit: 2) { id user { name } product { name } } }");
        assertThat(a.status()).isEqualTo(200);
        JsonNode body = json(a);
        assertThat(body.path("data").path("orders").get(0).path("user").path("name").asText()).isEqualTo("user 1");
        assertThat(body.path("data").path("orders").get(0).path("product").isNull()).isTrue();
        assertThat(body.path("errors")).hasSize(2);
        JsonNode e = body.path("errors").get(0);
        assertThat(e.path("message").asText()).isEqualTo("products answered 503");
        assertThat(e.path("path").toString()).isIn("[\"orders\",0,\"product\"]", "[\"orders\",1,\"product\"]");
        assertThat(e.path("extensions").path("code").asText()).isEqualTo(RestFetchers.UPSTREAM_ERROR);
        assertThat(e.path("extensions").path("cluster").asText()).isEqualTo("products");
        assertThat(body.path("extensions").path("requestId").isMissingNode()).isTrue(); // GraphqlRequest.of has no id
        assertThat(a.text()).doesNotContain("Exception").doesNotContain("at io.");
    }

    @Test
    void aClusterThatDoesNotAnswerIsAnErrorOnItsFieldOnly() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<String, String> clusters = new HashMap<>(Graphql.clusters(backend));
        clusters.put("users", "http://127.0.0.1:" + closed);
        GraphqlAnswer a = run(service, GraphqlRequest.of("{ orders(limit: 2) { id user { name } } }"),
                HttpRestCaller.of(clusters, "alice", "r"));
        JsonNode body = json(a);
        assertThat(body.path("data").path("orders")).hasSize(2);
        assertThat(body.path("data").path("orders").get(0).path("user").isNull()).isTrue();
        assertThat(codes(a)).containsOnly(RestFetchers.UPSTREAM_UNAVAILABLE);
        assertThat(body.path("errors").get(0).path("message").asText()).isEqualTo("users did not answer");
    }

    @Test
    void aKeyTheBatchAnswerLacksIsNullWithANotFoundError() {
        backend.omit("2");
        GraphqlAnswer a = query("{ orders(limit: 3) { id user { name } } }");
        JsonNode orders = json(a).path("data").path("orders");
        assertThat(orders.get(0).path("user").path("name").asText()).isEqualTo("user 1");
        assertThat(orders.get(1).path("user").isNull()).isTrue();
        assertThat(codes(a)).containsExactly(RestFetchers.NOT_FOUND);
        assertThat(json(a).path("errors").get(0).path("path").toString()).isEqualTo("[\"orders\",1,\"user\"]");
        assertThat(json(a).path("errors").get(0).path("message").asText()).isEqualTo("users returned no id '2'");
    }

    @Test
    void a404IsNullWithoutErrorAndAResultPointerPicksTheValue() {
        GraphqlAnswer a = query("{ user(id: 404) { name } wrapped(id: 5) { id name } }");
        assertThat(json(a).path("data").path("user").isNull()).isTrue();
        assertThat(json(a).path("data").path("wrapped").toString()).isEqualTo("{\"id\":\"5\",\"name\":\"user 5\"}");
        assertThat(json(a).has("errors")).isFalse();
    }

    @Test
    void anAnswerThatIsNotJsonIsABadResponseError() {
        GraphqlAnswer a = query("{ text { name } }");
        assertThat(json(a).path("data").path("text").isNull()).isTrue();
        assertThat(codes(a)).containsExactly(RestFetchers.UPSTREAM_BAD_RESPONSE);
    }

    /** Concurrent requests of two users: every call, batched ones included, carries its own caller's identity. */
    @Test
    void everyUpstreamCallCarriesItsCallersIdentityAndRequestId() throws Exception {
        List<CompletableFuture<GraphqlAnswer>> runs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String user = i % 2 == 0 ? "alice" : "bob";
            runs.add(service.execute(GraphqlRequest.of("{ orders(limit: 4) { id user { name } product { name } } }"),
                    HttpRestCaller.of(Graphql.clusters(backend), user, "req-" + user + "-" + i)).toCompletableFuture());
        }
        for (CompletableFuture<GraphqlAnswer> r : runs) assertThat(json(r.get(10, TimeUnit.SECONDS)).has("errors")).isFalse();
        assertThat(backend.calls()).hasSize(30);
        for (RestBackend.Call c : backend.calls()) {
            assertThat(c.userId()).isIn("alice", "bob");
            assertThat(c.requestId()).startsWith("req-" + c.userId() + "-");
        }
        // each request's three calls share its request id
        Map<String, Long> perRequest = new HashMap<>();
        backend.calls().forEach(c -> perRequest.merge(c.requestId(), 1L, Long::sum));
        assertThat(perRequest).hasSize(10).allSatisfy((id, n) -> assertThat(n).isEqualTo(3L));
    }
}
