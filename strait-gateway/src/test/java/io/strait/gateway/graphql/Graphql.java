package io.strait.gateway.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.load.FilterCatalog;
import io.strait.config.model.StraitConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The tests' schema, mapping and helpers: configs read from YAML by the real reader, answers as JSON trees. */
final class Graphql {
    static final ObjectMapper JSON = new ObjectMapper();
    static final FilterCatalog CATALOG = FilterCatalog.of(List.of(new GraphqlReader()));

    static final String SCHEMA = """
            type Query {
              user(id: ID!): User
              orders(limit: Int): [Order!]!
              wrapped(id: ID!): User
              text: User
            }
            type Mutation { noop: Boolean }
            type User { id: ID! name: String email: String }
            type Order { id: ID! total: Float user: User product: Product }
            type Product { id: ID! name: String price: Float }
            """;

    static final String RESOLVERS = """
            resolvers:
              Query.user:    {cluster: users, path: "/users/{args.id}"}
              Query.orders:  {cluster: orders, path: "/orders", query: {limit: "{args.limit}"}}
              Query.wrapped: {cluster: users, path: "/wrapped/{args.id}", result: /data}
              Query.text:    {cluster: users, path: /text}
              Order.user:    {cluster: users, path: /users, query: {ids: "{keys}"}, batch: {key: userId, match: id}}
              Order.product: {cluster: products, path: /products, query: {ids: "{keys}"}, batch: {key: productId, match: id}}
            """;

    private Graphql() {}

    /**
     * The filter's settings read from {@code graphql} (the YAML inside {@code graphql:}), files in {@code dir}; the
     * resolvers' clusters are declared (the tests call them through their own {@link RestCaller}).
     */
    static StraitConfig load(Path dir, String graphql) throws ConfigException {
        write(dir.resolve("schema.graphql"), SCHEMA);
        return ConfigLoader.parse("""
                clusters:
                  c: {endpoints: [{address: "127.0.0.1:1"}]}
                  users: {endpoints: [{address: "127.0.0.1:1"}]}
                  orders: {endpoints: [{address: "127.0.0.1:1"}]}
                  products: {endpoints: [{address: "127.0.0.1:1"}]}
                routes:
                  - name: graphql
                    match: {path: /graphql}
                    cluster: c
                    filters:
                      - graphql:
                """ + graphql.indent(10), "t.yaml", dir, CATALOG);
    }

    /** A service with the tests' schema and resolvers plus {@code extra} settings. */
    static GraphqlService service(Path dir, String extra) {
        try {
            StraitConfig c = load(dir, "schemaFile: schema.graphql\n" + RESOLVERS + extra);
            return new GraphqlService((GraphqlConfig) c.routes().get(0).filter(GraphqlReader.NAME));
        } catch (ConfigException e) {
            throw new AssertionError(e.errors().toString(), e);
        }
    }

    static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The clusters of {@code backend}. */
    static Map<String, String> clusters(RestBackend backend) {
        return Map.of("users", backend.base(), "orders", backend.base(), "products", backend.base());
    }

    /** Runs {@code request} (from the test thread, which may wait). */
    static GraphqlAnswer run(GraphqlService service, GraphqlRequest request, RestCaller caller) {
        try {
            return service.execute(request, caller).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static GraphqlAnswer post(GraphqlService service, String body, String accept, RestCaller caller) {
        try {
            return service.handle("POST", null, "application/json", accept, body.getBytes(), "req-1", caller)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode json(GraphqlAnswer a) {
        try {
            return JSON.readTree(a.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + a.text(), e);
        }
    }

    /** The {@code extensions.code} of each error. */
    static List<String> codes(GraphqlAnswer a) {
        return json(a).path("errors").valueStream().map(e -> e.path("extensions").path("code").asText()).toList();
    }

    /** A JSON string literal of {@code s}. */
    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
