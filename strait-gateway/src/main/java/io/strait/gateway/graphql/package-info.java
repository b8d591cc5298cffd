/**
 * The {@code graphql} filter: a GraphQL BFF answered from REST calls on clusters. A schema file plus a
 * mapping of fields to REST calls ({@link io.strait.gateway.graphql.ResolverSpec}); nested fields batched with
 * java-dataloader so a list of N parents costs one call per mapped child field; limits on depth,
 * complexity, aliases, tokens and body size; introspection off unless enabled; automatic persisted queries
 * and an optional safelist. {@link io.strait.gateway.graphql.GraphqlService} does all of it behind a small
 * {@link io.strait.gateway.graphql.RestCaller}; the filter glue only adapts the engine's client to it.
 */
package io.strait.gateway.graphql;
