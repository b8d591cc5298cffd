package io.strait.gateway.graphql;

import static io.strait.gateway.graphql.Graphql.codes;
import static io.strait.gateway.graphql.Graphql.json;
import static io.strait.gateway.graphql.Graphql.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GraphQL over HTTP: malformed bodies, missing queries, syntax errors, unknown fields and variables of the wrong
 * type are GraphQL errors (never a 500 or a stack trace), with the statuses the spec gives each media type; GET.
 */
class GraphqlHttpTest {
    static final String GRAPHQL_RESPONSE = "application/graphql-response+json";

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

    private GraphqlAnswer http(String method, String query, String contentType, String body) throws Exception {
        return service.handle(method, query, contentType, null, body.getBytes(StandardCharsets.UTF_8), "req-9", caller)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void clean(GraphqlAnswer a) {
        assertThat(a.text()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at graphql.");
        assertThat(json(a).path("errors").get(0).path("message").asText()).isNotBlank();
    }

    @Test
    void notWellFormedRequestsAre400InEitherMediaType() throws Exception {
        for (String body : new String[] {"{not json", "[{\"query\":\"{ text { id } }\"}]", "\"x\"", "{}", "{\"query\": 5}",
                "{\"query\":\"{ text { id } }\",\"variables\":[1]}"}) {
            for (String accept : new String[] {null, GRAPHQL_RESPONSE}) {
                GraphqlAnswer a = post(service, body, accept, caller);
                assertThat(a.status()).as(body).isEqualTo(400);
                assertThat(codes(a)).as(body).containsExactly("BAD_REQUEST");
                clean(a);
            }
        }
        assertThat(json(post(service, "{not json", null, caller)).path("errors").get(0).path("message").asText())
                .isEqualTo("the body is not JSON");
        assertThat(json(post(service, "{}", null, caller)).path("errors").get(0).path("message").asText())
                .isEqualTo("the request has no query");
        assertThat(backend.calls()).isEmpty();
    }

    @Test
    void documentErrorsAre200AsJsonAnd400AsGraphqlResponse() {
        String[][] cases = {
            {"{\"query\":\"{ orders { id \"}", "GRAPHQL_PARSE_FAILED"},
            {"{\"query\":\"{ orders { nope } }\"}", "GRAPHQL_VALIDATION_FAILED"},
            {"{\"query\":\"query($id: ID!) { user(id: $id) { name } }\",\"variables\":{\"id\":null}}", "GRAPHQL_VALIDATION_FAILED"},
            {"{\"query\":\"query($n: Int) { orders(limit: $n) { id } }\",\"variables\":{\"n\":\"ten\"}}", "GRAPHQL_VALIDATION_FAILED"},
        };
        for (String[] c : cases) {
            GraphqlAnswer json = post(service, c[0], null, caller);
            assertThat(json.status()).as(c[0]).isEqualTo(200);
            assertThat(codes(json)).as(c[0]).containsExactly(c[1]);
            assertThat(json(json).has("data")).isFalse();
            clean(json);
            GraphqlAnswer gr = post(service, c[0], GRAPHQL_RESPONSE, caller);
            assertThat(gr.status()).as(c[0]).isEqualTo(400);
            assertThat(gr.contentType()).isEqualTo(GRAPHQL_RESPONSE);
        }
        assertThat(json(post(service, "{\"query\":\"{ orders { nope } }\"}", null, caller)).path("errors").get(0)
                .path("locations").get(0).path("line").asInt()).isEqualTo(1);
        assertThat(backend.calls()).isEmpty();
    }

    @Test
    void anIdVariableIsAStringOrAnIntegerNothingElse() {
        // found running docs/guides/graphql.md by hand: graphql-java's ID made {"a":1} the ID "{a=1}" and called /users/%7Ba%3D1%7D
        String query = "{\"query\":\"query($id: ID!) { user(id: $id) { name } }\",\"variables\":{\"id\":";
        for (String bad : new String[] {"{\"a\":1}", "[1,2]", "true", "1.5"}) {
            GraphqlAnswer a = post(service, query + bad + "}}", null, caller);
            assertThat(codes(a)).as(bad).containsExactly("GRAPHQL_VALIDATION_FAILED");
            assertThat(json(a).path("errors").get(0).path("message").asText()).as(bad).contains("an ID is a string or an integer");
            clean(a);
        }
        assertThat(backend.calls()).isEmpty();
        assertThat(json(post(service, query + "\"5\"}}", null, caller)).path("data").toString()).isEqualTo("{\"user\":{\"name\":\"user 5\"}}");
        assertThat(json(post(service, query + "6}}", null, caller)).path("data").toString()).isEqualTo("{\"user\":{\"name\":\"user 6\"}}");
    }

    @Test
    void partialDataIs200InEitherMediaType() {
        backend.fail("/users", 500);
        GraphqlAnswer gr = post(service, "{\"query\":\"{ orders(limit: 1) { id user { name } } }\"}", GRAPHQL_RESPONSE, caller);
        assertThat(gr.status()).isEqualTo(200);
        assertThat(codes(gr)).containsExactly(RestFetchers.UPSTREAM_ERROR);
        assertThat(json(gr).path("data").path("orders").get(0).path("id").asText()).isEqualTo("100");
        assertThat(json(gr).path("extensions").path("requestId").asText()).isEqualTo("req-1");
    }

    @Test
    void variablesAndOperationNameAreHonoured() {
        GraphqlAnswer a = post(service, "{\"query\":\"query A { orders(limit: 1) { id } } query B($id: ID!) { user(id: $id) { name } }\","
                + "\"operationName\":\"B\",\"variables\":{\"id\":\"3\"}}", null, caller);
        assertThat(json(a).path("data").toString()).isEqualTo("{\"user\":{\"name\":\"user 3\"}}");
    }

    @Test
    void getRunsQueriesWithVariablesAndRefusesMutations() throws Exception {
        String q = "query=" + URLEncoder.encode("query($id: ID!) { user(id: $id) { name } }", StandardCharsets.UTF_8)
                + "&variables=" + URLEncoder.encode("{\"id\":\"4\"}", StandardCharsets.UTF_8);
        GraphqlAnswer a = http("GET", q, null, "");
        assertThat(a.status()).isEqualTo(200);
        assertThat(json(a).path("data").path("user").path("name").asText()).isEqualTo("user 4");

        GraphqlAnswer m = http("GET", "query=" + URLEncoder.encode("mutation { noop }", StandardCharsets.UTF_8), null, "");
        assertThat(m.status()).isEqualTo(405);
        assertThat(m.headers()).contains(java.util.Map.entry("Allow", "GET, POST"));
        assertThat(codes(m)).containsExactly(QueryLimits.METHOD_NOT_ALLOWED);

        assertThat(http("GET", "query=x&query=y", null, "").status()).isEqualTo(400);
        assertThat(http("GET", "query=" + URLEncoder.encode("{ text { id } }", StandardCharsets.UTF_8) + "&variables=nope", null, "").status())
                .isEqualTo(400);
    }

    @Test
    void otherMethodsAndMediaTypesAreRefused() throws Exception {
        GraphqlAnswer put = http("PUT", null, "application/json", "{\"query\":\"{ text { id } }\"}");
        assertThat(put.status()).isEqualTo(405);
        assertThat(codes(put)).containsExactly("METHOD_NOT_ALLOWED");
        GraphqlAnswer text = http("POST", null, "text/plain", "{ text { id } }");
        assertThat(text.status()).isEqualTo(415);
        assertThat(codes(text)).containsExactly("UNSUPPORTED_MEDIA_TYPE");
        assertThat(json(text).path("extensions").path("requestId").asText()).isEqualTo("req-9");
        GraphqlAnswer charset = http("POST", null, "application/json; charset=utf-8", "{\"query\":\"{ user(id: 1) { id } }\"}");
        assertThat(charset.status()).isEqualTo(200);
        assertThat(json(charset).path("data").path("user").path("id").asText()).isEqualTo("1");
    }

    @Test
    void theAcceptHeaderChoosesTheMediaType() {
        assertThat(GraphqlHttp.wantsGraphqlResponse(null)).isFalse();
        assertThat(GraphqlHttp.wantsGraphqlResponse("application/json")).isFalse();
        assertThat(GraphqlHttp.wantsGraphqlResponse("*/*")).isFalse();
        assertThat(GraphqlHttp.wantsGraphqlResponse(GRAPHQL_RESPONSE)).isTrue();
        assertThat(GraphqlHttp.wantsGraphqlResponse(GRAPHQL_RESPONSE + ", application/json;q=0.9")).isTrue();
        assertThat(GraphqlHttp.wantsGraphqlResponse("application/json, " + GRAPHQL_RESPONSE)).isFalse();
    }
}
