package io.strait.gateway.graphql;

import static io.strait.gateway.graphql.Graphql.codes;
import static io.strait.gateway.graphql.Graphql.json;
import static io.strait.gateway.graphql.Graphql.post;
import static io.strait.gateway.graphql.Graphql.quote;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each limit exceeded is a GraphQL error with its code and no upstream call: 200 as {@code application/json},
 * 400 as {@code application/graphql-response+json}; a query just within each limit runs. Introspection off and on.
 */
class GraphqlLimitsTest {
    static final String LIMITS = """
            limits: {maxDepth: 3, maxComplexity: 6, maxAliases: 2, maxTokens: 60, maxBodySize: 1KiB}
            """;
    static final String GRAPHQL_RESPONSE = "application/graphql-response+json";

    @TempDir
    Path dir;
    RestBackend backend;
    GraphqlService service;
    RestCaller caller;

    @BeforeEach
    void start() throws Exception {
        backend = new RestBackend();
        service = Graphql.service(dir, LIMITS);
        caller = HttpRestCaller.of(Graphql.clusters(backend), "alice", "req-1");
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    private GraphqlAnswer refused(String query, String code) {
        String body = "{\"query\":" + quote(query) + "}";
        GraphqlAnswer json = post(service, body, null, caller);
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.contentType()).isEqualTo("application/json");
        assertThat(codes(json)).containsExactly(code);
        assertThat(json(json).has("data")).isFalse();
        assertThat(json(json).path("extensions").path("requestId").asText()).isEqualTo("req-1");
        GraphqlAnswer gr = post(service, body, GRAPHQL_RESPONSE + ", application/json", caller);
        assertThat(gr.status()).isEqualTo(400);
        assertThat(gr.contentType()).isEqualTo(GRAPHQL_RESPONSE);
        assertThat(codes(gr)).containsExactly(code);
        assertThat(backend.calls()).isEmpty();
        return json;
    }

    @Test
    void depth() {
        // the schema's deepest path is three levels (orders > user > name): a limit of 2 refuses it
        service = Graphql.service(dir, "limits: {maxDepth: 2}\n");
        GraphqlAnswer deep = refused("{ orders { user { name } } }", QueryLimits.TOO_DEEP);
        assertThat(json(deep).path("errors").get(0).path("message").asText()).isEqualTo("the query is 3 levels deep; the limit is 2");
        GraphqlAnswer ok = post(service, "{\"query\":\"{ orders { id } }\"}", null, caller);
        assertThat(json(ok).has("errors")).isFalse();
    }

    @Test
    void complexityCountsEachFieldOnce() {
        GraphqlAnswer a = refused("{ orders { id total user { id name } product { id } } }", QueryLimits.TOO_COMPLEX);
        assertThat(json(a).path("errors").get(0).path("message").asText()).isEqualTo("the query selects 8 fields; the limit is 6");
        GraphqlAnswer ok = post(service, "{\"query\":\"{ orders { id total user { id name } } }\"}", null, caller);
        assertThat(json(ok).has("errors")).isFalse();
    }

    @Test
    void limitsHoldForTheRequestedOperationWithFragmentsExpanded() {
        service = Graphql.service(dir, "limits: {maxDepth: 2, maxComplexity: 4}\n");
        // a fragment is as deep, and counts as many fields, as where it is spread
        refused("{ ...F } fragment F on Query { orders { user { name } } }", QueryLimits.TOO_DEEP);
        GraphqlAnswer twice = post(service, "{\"query\":" + quote("{ orders { ...G ...G } } fragment G on Order { id total }") + "}",
                null, caller);
        assertThat(json(twice).path("errors").get(0).path("message").asText()).isEqualTo("the query selects 5 fields; the limit is 4");
        // a field under @skip counts: the limit holds whatever the variables are
        refused("query($s: Boolean = true) { orders { id total user @skip(if: $s) { id name } } }", QueryLimits.TOO_DEEP);
        // two operations in one document (parsed once for both): the one asked for is measured
        String two = quote("query Small { orders { id } } query Big { orders { user { name } } }");
        GraphqlAnswer small = post(service, "{\"query\":" + two + ",\"operationName\":\"Small\"}", null, caller);
        assertThat(json(small).has("errors")).as(small.text()).isFalse();
        GraphqlAnswer big = post(service, "{\"query\":" + two + ",\"operationName\":\"Big\"}", null, caller);
        assertThat(codes(big)).containsExactly(QueryLimits.TOO_DEEP);
    }

    @Test
    void aliases() {
        GraphqlAnswer a = refused("{ a: user(id: 1) { id } b: user(id: 2) { id } c: user(id: 3) { id } }", QueryLimits.TOO_MANY_ALIASES);
        assertThat(json(a).path("errors").get(0).path("message").asText()).isEqualTo("the query has 3 aliases; the limit is 2");
        // aliases in fragments count too
        refused("query { ...F } fragment F on Query { a: user(id: 1) { n: name } b: user(id: 2) { id } }", QueryLimits.TOO_MANY_ALIASES);
        GraphqlAnswer ok = post(service, "{\"query\":\"{ a: user(id: 1) { id } b: user(id: 2) { id } }\"}", null, caller);
        assertThat(json(ok).path("data").path("b").path("id").asText()).isEqualTo("2");
    }

    @Test
    void tokens() {
        StringBuilder q = new StringBuilder("{ orders { id");
        for (int i = 0; i < 60; i++) q.append(" id");
        q.append(" } }");
        GraphqlAnswer a = refused(q.toString(), "GRAPHQL_PARSE_FAILED");
        assertThat(json(a).path("errors").get(0).path("message").asText()).contains("60");
    }

    @Test
    void bodySizeIs413InEitherMediaType() {
        String big = "{\"query\":" + quote("{ orders { id } }" + " ".repeat(1100)) + "}";
        GraphqlAnswer a = post(service, big, null, caller);
        assertThat(a.status()).isEqualTo(413);
        assertThat(codes(a)).containsExactly("REQUEST_TOO_LARGE");
        assertThat(post(service, big, GRAPHQL_RESPONSE, caller).status()).isEqualTo(413);
        assertThat(backend.calls()).isEmpty();
    }

    @Test
    void introspectionIsOffByDefaultAndOnWhenEnabled() throws Exception {
        GraphqlAnswer off = refused("{ __schema { queryType { name } } }", "INTROSPECTION_DISABLED");
        assertThat(off.text()).doesNotContain("Order");
        refused("{ __type(name: \"Order\") { name } }", "INTROSPECTION_DISABLED");
        // __typename is not introspection: it answers
        GraphqlAnswer typename = post(service, "{\"query\":\"{ __typename }\"}", null, caller);
        assertThat(json(typename).path("data").path("__typename").asText()).isEqualTo("Query");

        GraphqlService on = Graphql.service(dir, "introspection: true\nlimits: {maxDepth: 4, maxComplexity: 20}\n");
        GraphqlAnswer a = post(on, "{\"query\":\"{ __schema { queryType { name } } __type(name: \\\"Order\\\") { fields { name } } }\"}",
                null, caller);
        assertThat(json(a).has("errors")).isFalse();
        assertThat(json(a).path("data").path("__schema").path("queryType").path("name").asText()).isEqualTo("Query");
        assertThat(json(a).path("data").path("__type").path("fields").toString()).contains("\"product\"");

        // a tool's standard introspection query is deeper than the limits allow: introspection is exempt from them
        GraphqlAnswer full = post(on, "{\"query\":" + quote(graphql.introspection.IntrospectionQuery.INTROSPECTION_QUERY) + "}",
                null, caller);
        assertThat(json(full).has("errors")).as(full.text()).isFalse();
        assertThat(json(full).path("data").path("__schema").path("types").toString()).contains("\"Order\"");
        // and only it: a field beside the introspection keeps the limits
        GraphqlAnswer mixed = post(on, "{\"query\":" + quote("{ __schema { types { fields { type { ofType { name } } } } } orders { id } }")
                + "}", null, caller);
        assertThat(codes(mixed)).containsExactly(QueryLimits.TOO_DEEP);
        // without introspection: true the exemption changes nothing, the query is refused
        assertThat(codes(post(Graphql.service(dir, ""), "{\"query\":" + quote(graphql.introspection.IntrospectionQuery.INTROSPECTION_QUERY) + "}",
                null, caller))).contains("INTROSPECTION_DISABLED");
    }
}
