package io.strait.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's GraphQL route: {@code POST /graphql} (and GET) composing users, orders and products from their
 * REST APIs, with the demo token or key like every demo route. Orders' users and products are batched: a
 * list of orders with both costs three calls.
 */
final class DemoGraphql {
    /** The schema file, written beside demo.yaml. */
    static final String SCHEMA_FILE = "demo.graphql";

    static final String SCHEMA = """
            "The demo's services, composed: ask for what a screen shows, in one request."
            type Query {
              user(id: ID!): User
              orders: [Order!]!
              product(id: ID!): Product
            }
            type User { id: ID! name: String }
            type Order { id: ID! total: Float user: User product: Product }
            type Product { id: ID! name: String price: Float }
            """;

    private DemoGraphql() {}

    static void writeSchema(Path dir) throws IOException {
        Files.writeString(dir.resolve(SCHEMA_FILE), SCHEMA);
    }

    /** The route, after the REST routes; the demo services wrap each answer in {"data": ...}: {@code result: /data}. */
    static void route(StringBuilder y, String webOrigin) {
        y.append("""
                  # GraphQL over the three services: orders' users and products are batched (one call each per query)
                  - name: graphql
                    match: {path: /graphql, methods: [POST, GET]}
                    timeout: 5s
                    filters:
                      - cors: {allowOrigins: ["%s"], allowHeaders: [Authorization, X-API-Key, Content-Type], maxAge: 10m}
                      - auth: {anyOf: [jwt:demo, apiKey], scopes: [users:read, orders:read, products:read]}
                      - rateLimit: [per-client]
                    graphql:
                      schemaFile: %s
                      resolvers:
                        Query.user:    {cluster: users, path: "/api/v1/users/{args.id}", result: /data}
                        Query.orders:  {cluster: orders, path: /api/v1/orders, result: /data}
                        Query.product: {cluster: products, path: "/api/v1/products/{args.id}", result: /data}
                        Order.user:    {cluster: users, path: /api/v1/users, query: {ids: "{keys}"}, batch: {key: userId, match: id}, result: /data}
                        Order.product: {cluster: products, path: /api/v1/products, query: {ids: "{keys}"}, batch: {key: productId, match: id}, result: /data}
                      persistedQueries: {automatic: true}
                """.formatted(webOrigin, SCHEMA_FILE));
    }
}
