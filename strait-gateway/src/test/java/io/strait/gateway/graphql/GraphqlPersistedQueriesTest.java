package io.strait.gateway.graphql;

import static io.strait.gateway.graphql.Graphql.codes;
import static io.strait.gateway.graphql.Graphql.json;
import static io.strait.gateway.graphql.Graphql.post;
import static io.strait.gateway.graphql.Graphql.quote;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apollo's automatic persisted queries (miss, register, hit, by POST and GET), their bounded cache, and the safelist. */
class GraphqlPersistedQueriesTest {
    static final String QUERY = "{ user(id: 1) { name } }";
    static final String OTHER = "{ user(id: 2) { name } }";

    @TempDir
    Path dir;
    RestBackend backend;
    RestCaller caller;

    @BeforeEach
    void start() throws Exception {
        backend = new RestBackend();
        caller = HttpRestCaller.of(Graphql.clusters(backend), "alice", "req-1");
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    static String hashOnly(String query) {
        return "{\"extensions\":{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"" + PersistedQueryStore.sha256(query) + "\"}}}";
    }

    static String withHash(String query) {
        return "{\"query\":" + quote(query) + ",\"extensions\":{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\""
                + PersistedQueryStore.sha256(query) + "\"}}}";
    }

    @Test
    void aMissThenARegistrationThenHits() throws Exception {
        GraphqlService service = Graphql.service(dir, "persistedQueries: {automatic: true}\n");
        GraphqlAnswer miss = post(service, hashOnly(QUERY), null, caller);
        assertThat(miss.status()).isEqualTo(200);
        assertThat(codes(miss)).containsExactly(PersistedQueryStore.NOT_FOUND);
        assertThat(json(miss).path("errors").get(0).path("message").asText()).isEqualTo("PersistedQueryNotFound");
        assertThat(post(service, hashOnly(QUERY), "application/graphql-response+json", caller).status()).isEqualTo(400);
        assertThat(backend.calls()).isEmpty();

        GraphqlAnswer register = post(service, withHash(QUERY), null, caller);
        assertThat(json(register).path("data").path("user").path("name").asText()).isEqualTo("user 1");
        assertThat(service.registeredQueries()).isEqualTo(1);

        GraphqlAnswer hit = post(service, hashOnly(QUERY), null, caller);
        assertThat(json(hit).has("errors")).isFalse();
        assertThat(json(hit).path("data").path("user").path("name").asText()).isEqualTo("user 1");

        // GET with extensions in the query string, as Apollo's clients send hashed queries
        String get = "extensions=" + URLEncoder.encode(hashOnly(QUERY).replaceFirst("^\\{\"extensions\":", "").replaceFirst("}$", ""),
                StandardCharsets.UTF_8);
        GraphqlAnswer viaGet = service.handle("GET", get, null, null, new byte[0], "r", caller).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(json(viaGet).path("data").path("user").path("name").asText()).isEqualTo("user 1");
        assertThat(backend.count("/users/1")).isEqualTo(3);
    }

    @Test
    void aHashThatIsNotTheQuerysIsRefused() {
        GraphqlService service = Graphql.service(dir, "persistedQueries: {automatic: true}\n");
        String lie = "{\"query\":" + quote(OTHER) + ",\"extensions\":{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\""
                + PersistedQueryStore.sha256(QUERY) + "\"}}}";
        GraphqlAnswer a = post(service, lie, null, caller);
        assertThat(a.status()).isEqualTo(400);
        assertThat(codes(a)).containsExactly(PersistedQueryStore.HASH_MISMATCH);
        assertThat(service.registeredQueries()).isZero();
        assertThat(codes(post(service, hashOnly(QUERY), null, caller))).containsExactly(PersistedQueryStore.NOT_FOUND);
        assertThat(codes(post(service, "{\"extensions\":{\"persistedQuery\":{\"version\":2,\"sha256Hash\":\"ab\"}}}", null, caller)))
                .containsExactly("BAD_REQUEST");
    }

    @Test
    void theCacheIsBoundedLeastRecentlyUsedFirst() {
        GraphqlService service = Graphql.service(dir, "persistedQueries: {cacheSize: 2}\n");
        String third = "{ user(id: 3) { name } }";
        post(service, withHash(QUERY), null, caller);
        post(service, withHash(OTHER), null, caller);
        post(service, hashOnly(QUERY), null, caller); // QUERY is now the most recently used
        post(service, withHash(third), null, caller);
        assertThat(service.registeredQueries()).isEqualTo(2);
        assertThat(codes(post(service, hashOnly(OTHER), null, caller))).containsExactly(PersistedQueryStore.NOT_FOUND);
        assertThat(json(post(service, hashOnly(QUERY), null, caller)).has("errors")).isFalse();
        assertThat(json(post(service, hashOnly(third), null, caller)).has("errors")).isFalse();
    }

    @Test
    void withoutPersistedQueriesAHashIsNotSupported() {
        GraphqlService service = Graphql.service(dir, "");
        assertThat(codes(post(service, withHash(QUERY), null, caller))).containsExactly(PersistedQueryStore.NOT_SUPPORTED);
        assertThat(json(post(service, "{\"query\":" + quote(QUERY) + "}", null, caller)).has("errors")).isFalse();
    }

    @Test
    void aSafelistRunsItsQueriesOnlyByTextOrHash() {
        Graphql.write(dir.resolve("safelist.json"), "[" + quote(QUERY) + "]");
        GraphqlService service = Graphql.service(dir, "persistedQueries: {automatic: false, safelist: safelist.json}\n");
        assertThat(json(post(service, "{\"query\":" + quote(QUERY) + "}", null, caller)).path("data").path("user")
                .path("name").asText()).isEqualTo("user 1");
        assertThat(json(post(service, hashOnly(QUERY), null, caller)).path("data").path("user").path("name").asText())
                .isEqualTo("user 1");
        for (String body : new String[] {"{\"query\":" + quote(OTHER) + "}", withHash(OTHER), hashOnly(OTHER)}) {
            GraphqlAnswer a = post(service, body, null, caller);
            assertThat(codes(a)).as(body).containsExactly(PersistedQueryStore.NOT_IN_SAFELIST);
            assertThat(json(a).path("errors").get(0).path("message").asText()).isEqualTo("this query is not in the safelist");
        }
        assertThat(backend.count("/users/2")).isZero();
        assertThat(service.registeredQueries()).isZero();
    }

    @Test
    void anApolloManifestIsASafelistToo() {
        Graphql.write(dir.resolve("manifest.json"), "{\"format\":\"apollo-persisted-query-manifest\",\"version\":1,\"operations\":["
                + "{\"id\":\"" + PersistedQueryStore.sha256(OTHER) + "\",\"name\":\"U\",\"type\":\"query\",\"body\":" + quote(OTHER) + "}]}");
        GraphqlService service = Graphql.service(dir, "persistedQueries: {safelist: manifest.json}\n");
        assertThat(json(post(service, hashOnly(OTHER), null, caller)).path("data").path("user").path("name").asText())
                .isEqualTo("user 2");
        // automatic on: an unknown hash is a miss, and its registration is refused
        assertThat(codes(post(service, hashOnly(QUERY), null, caller))).containsExactly(PersistedQueryStore.NOT_FOUND);
        assertThat(codes(post(service, withHash(QUERY), null, caller))).containsExactly(PersistedQueryStore.NOT_IN_SAFELIST);
    }
}
