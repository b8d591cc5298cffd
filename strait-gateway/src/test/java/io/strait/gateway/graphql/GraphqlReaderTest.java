package io.strait.gateway.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.load.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The graphql settings as read from YAML: defaults, and each error with its exact path. */
class GraphqlReaderTest {
    static final String P = "routes[0].filters[0].graphql.";

    @TempDir
    Path dir;

    GraphqlConfig load(String graphql) throws ConfigException {
        return (GraphqlConfig) Graphql.load(dir, graphql).routes().get(0).filter(GraphqlReader.NAME);
    }

    List<String> errors(String graphql) {
        try {
            load(graphql);
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("loaded: " + graphql);
    }

    @Test
    void theBriefsExampleLoadsWithItsDefaults() throws Exception {
        GraphqlConfig c = load("schemaFile: schema.graphql\n" + Graphql.RESOLVERS);
        assertThat(c.schema()).isEqualTo(Graphql.SCHEMA);
        assertThat(c.limits()).isEqualTo(GraphqlConfig.Limits.DEFAULT);
        assertThat(c.limits()).isEqualTo(new GraphqlConfig.Limits(10, 500, 20, 5000, 64 * 1024));
        assertThat(c.introspection()).isFalse();
        assertThat(c.persistedQueries()).isNull();
        ResolverSpec user = c.resolvers().get("Order.user");
        assertThat(user.batch()).isEqualTo(new ResolverSpec.Batch("userId", "id", 100));
        assertThat(user.target(null, null, List.of("1", "a b"))).isEqualTo("/users?ids=1,a+b");
        assertThat(c.resolvers().get("Query.user").target(java.util.Map.of("id", "7/x"), null, null)).isEqualTo("/users/7%2Fx");
        assertThat(c.problems()).isEmpty();

        GraphqlConfig all = load("""
                schemaFile: schema.graphql
                resolvers:
                  Order.user: {cluster: users, path: "/users/{source.userId}", timeout: 2s}
                limits: {maxDepth: 4, maxComplexity: 50, maxAliases: 0, maxTokens: 900, maxBodySize: 8KiB}
                introspection: true
                persistedQueries: {cacheSize: 10}
                """);
        assertThat(all.limits()).isEqualTo(new GraphqlConfig.Limits(4, 50, 0, 900, 8192));
        assertThat(all.resolvers().get("Order.user").timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(all.resolvers().get("Order.user").target(null, java.util.Map.of("userId", 3), null)).isEqualTo("/users/3");
        assertThat(all.persistedQueries()).isEqualTo(new GraphqlConfig.PersistedQueries(true, 10, null, List.of()));
    }

    @Test
    void aMappedFieldTheSchemaLacksIsAnError() {
        assertThat(errors("""
                schemaFile: schema.graphql
                resolvers:
                  Query.usr:   {cluster: users, path: /users}
                  Shop.items:  {cluster: users, path: /items}
                  Query.user:  {cluster: users, path: "/users/{args.userId}"}
                  ID.x:        {cluster: users, path: /x}
                  user:        {cluster: users, path: /x}
                """)).containsExactlyInAnyOrder(
                P + "resolvers.Query.usr: the schema's type Query has no field usr",
                P + "resolvers.Shop.items: the schema has no type Shop",
                P + "resolvers.Query.user.path: {args.userId}: Query.user has no argument userId (it has id)",
                P + "resolvers.ID.x: ID is not an object type: only object types' fields resolve",
                P + "resolvers.user: name a schema field as Type.field (e.g. Query.user)");
    }

    @Test
    void aResolversClusterMustBeDeclared() {
        assertThat(errors("""
                schemaFile: schema.graphql
                resolvers:
                  Query.user:  {cluster: userz, path: "/users/{args.id}"}
                """)).containsExactly(P + "resolvers.Query.user.cluster: unknown cluster 'userz' (did you mean 'users'?)");
    }

    @Test
    void templatesAndBatchesAreChecked() {
        assertThat(errors("""
                schemaFile: schema.graphql
                resolvers:
                  Query.user:    {cluster: users, path: "/users/{id}"}
                  Query.orders:  {cluster: orders, path: orders}
                  Order.user:    {cluster: users, path: /users, batch: {key: userId, match: id}}
                  Order.product: {cluster: products, path: "/products/{keys}"}
                  Query.text:    {path: /x, batch: {key: a}, result: data, colour: red}
                """)).containsExactlyInAnyOrder(
                P + "resolvers.Query.user.path: unknown variable {id}: write {args.NAME}, {source.NAME} or {keys}",
                P + "resolvers.Query.orders.path: must start with '/'",
                P + "resolvers.Order.user.batch: a batched call must send its keys: write {keys} in the path or a query value",
                P + "resolvers.Order.product.path: {keys} is for batched calls: add batch: {key: ..., match: ...}",
                P + "resolvers.Query.text.cluster: is required",
                P + "resolvers.Query.text.batch.match: is required",
                P + "resolvers.Query.text.result: must be a JSON pointer such as /data",
                P + "resolvers.Query.text.colour: unknown field");
    }

    @Test
    void filesThatCannotBeReadOrParsedAreNamed() {
        assertThat(errors("schemaFile: missing.graphql\n" + Graphql.RESOLVERS))
                .containsExactly(P + "schemaFile: cannot read " + dir.resolve("missing.graphql"));
        Graphql.write(dir.resolve("bad.graphql"), "type Query { user: Nope }");
        assertThat(errors("schemaFile: bad.graphql\nresolvers: {}\n")).singleElement().asString()
                .startsWith(P + "schemaFile: not a valid schema: ").contains("Nope");
        assertThat(errors("schemaFile: schema.graphql\nresolvers: {}\npersistedQueries: {safelist: none.json}\n"))
                .containsExactly(P + "persistedQueries.safelist: cannot read " + dir.resolve("none.json"));
        Graphql.write(dir.resolve("list.json"), "{\"queries\": 1}");
        assertThat(errors("schemaFile: schema.graphql\nresolvers: {}\npersistedQueries: {safelist: list.json}\n"))
                .containsExactly(P + "persistedQueries.safelist: list.json must be a JSON array of queries, or {\"operations\": [{\"body\": QUERY}, ...]}");
    }

    @Test
    void limitsAndRequiredFields() {
        assertThat(errors("limits: {maxDepth: 0, maxBodySize: 2x, maxAliasses: 3}\n")).containsExactlyInAnyOrder(
                P + "schemaFile: is required",
                P + "resolvers: is required: the REST call of each field, e.g. {Query.user: {cluster: users, path: \"/users/{args.id}\"}}",
                P + "limits.maxDepth: must be between 1 and 1000 (was 0)",
                P + "limits.maxBodySize: " + sizeSyntax() + " (was '2x')",
                P + "limits.maxAliasses: unknown field (did you mean 'maxAliases'?)");
    }

    private String sizeSyntax() {
        String e = errors("schemaFile: schema.graphql\nresolvers: {}\nlimits: {maxBodySize: 2x}\n").get(0);
        return e.substring(e.indexOf(": ") + 2, e.indexOf(" (was"));
    }

    @Test
    void onlyRoutesTakeIt() {
        try {
            io.strait.config.load.ConfigLoader.parse("""
                    listeners:
                      - {name: public, address: 127.0.0.1:0, filters: [{graphql: {schemaFile: schema.graphql}}]}
                    clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                    routes: [{name: r, match: {pathPrefix: /}, cluster: c}]
                    """, "t.yaml", dir, Graphql.CATALOG);
            throw new AssertionError("loaded");
        } catch (ConfigException e) {
            assertThat(e.errors()).containsExactly(
                    "listeners[0].filters[0].graphql: only routes take the graphql filter (it answers the requests of one route)");
        }
    }

    /** The same settings built by code get their problems from the model validator. */
    @Test
    void aCodeBuiltConfigSaysWhatIsWrong() {
        GraphqlConfig c = new GraphqlConfig("x", "", java.util.Map.of(), new GraphqlConfig.Limits(0, 1, 0, 1, 1), false,
                new GraphqlConfig.PersistedQueries(true, 0, null, List.of()));
        assertThat(c.problems()).extracting(io.strait.config.model.FilterConfig.Problem::field)
                .containsExactly("schemaFile", "limits.maxDepth", "persistedQueries.cacheSize");
    }
}
