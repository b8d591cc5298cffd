package io.strait.gateway.graphql;

import io.strait.config.model.FilterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The settings of a route's {@code graphql} filter: the schema (its file's text, read at load), the
 * fields answered by REST calls, the limits every query must keep, introspection and persisted queries.
 *
 * @param schemaFile the schema file as written (errors and {@code /config} name it)
 * @param schema the schema's SDL text
 * @param resolvers by {@code Type.field}: the REST call that answers that field
 * @param limits what one request may ask
 * @param introspection whether {@code __schema} and {@code __type} answer (off by default: it maps the API for attackers)
 * @param persistedQueries automatic persisted queries and the safelist, or null when off
 */
public record GraphqlConfig(
        String schemaFile,
        String schema,
        Map<String, ResolverSpec> resolvers,
        Limits limits,
        boolean introspection,
        PersistedQueries persistedQueries) implements FilterConfig {

    public GraphqlConfig {
        resolvers = Map.copyOf(resolvers);
    }

    /**
     * What one request may ask; each exceeded limit is a GraphQL error, never an upstream call.
     *
     * @param maxDepth the deepest field nesting (the root's fields are depth 1)
     * @param maxComplexity the most fields a query may select, counted once per field written (lists are not
     *     multiplied: the batch loaders make a list's children one call)
     * @param maxAliases the most aliased fields in the document (aliases multiply a field's calls)
     * @param maxTokens the most lexical tokens the parser reads before it gives up
     * @param maxBodySize the longest request body, in bytes
     */
    public record Limits(int maxDepth, int maxComplexity, int maxAliases, int maxTokens, long maxBodySize) {
        /** Ten levels: the demo's deepest query has three; cyclic types (order, user, orders, ...) stop here. */
        public static final int DEFAULT_MAX_DEPTH = 10;
        /** 500 fields: far above a screen's query, far below what an abuse of aliases and nesting asks. */
        public static final int DEFAULT_MAX_COMPLEXITY = 500;
        /** 20 aliases: a client that renames fields needs a few; each alias may be one more upstream call. */
        public static final int DEFAULT_MAX_ALIASES = 20;
        /** 5000 tokens: a 500-field query fits; graphql-java's own default (15000) admits bigger parse work. */
        public static final int DEFAULT_MAX_TOKENS = 5000;
        /** 64 KiB: a query with its variables; larger bodies are uploads, which a GraphQL BFF does not take. */
        public static final long DEFAULT_MAX_BODY_SIZE = 64 * 1024;

        public static final Limits DEFAULT = new Limits(DEFAULT_MAX_DEPTH, DEFAULT_MAX_COMPLEXITY, DEFAULT_MAX_ALIASES,
                DEFAULT_MAX_TOKENS, DEFAULT_MAX_BODY_SIZE);
    }

    /**
     * Apollo's automatic persisted queries ({@code extensions.persistedQuery.sha256Hash}) and a safelist.
     *
     * @param automatic whether a client may register a query by sending it with its hash
     * @param cacheSize how many registered queries are kept (least recently used go first)
     * @param safelistFile the safelist file as written, or null for none
     * @param safelist the safelisted queries' texts (only these run when a safelist is set); empty for none
     */
    public record PersistedQueries(boolean automatic, int cacheSize, String safelistFile, List<String> safelist) {
        /** 1000 queries: an app's whole set of operations, a few MB at most. */
        public static final int DEFAULT_CACHE_SIZE = 1000;

        public PersistedQueries {
            safelist = List.copyOf(safelist);
        }
    }

    /**
     * The clusters the resolvers call, by the field that names each ({@code resolvers.Order.user.cluster} to
     * {@code users}), checked against the {@code clusters} section as a route's cluster is.
     */
    @Override
    public Map<String, String> clusterReferences() {
        Map<String, String> out = new java.util.TreeMap<>();
        resolvers.forEach((name, r) -> out.put("resolvers." + name + ".cluster", r.cluster()));
        return out;
    }

    @Override
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (schema == null || schema.isBlank()) out.add(new Problem("schemaFile", "is required: the schema's SDL file"));
        if (limits == null) out.add(new Problem("limits", "is required"));
        else {
            if (limits.maxDepth() < 1) out.add(new Problem("limits.maxDepth", "must be >= 1"));
            if (limits.maxComplexity() < 1) out.add(new Problem("limits.maxComplexity", "must be >= 1"));
            if (limits.maxAliases() < 0) out.add(new Problem("limits.maxAliases", "must be >= 0"));
            if (limits.maxTokens() < 1) out.add(new Problem("limits.maxTokens", "must be >= 1"));
            if (limits.maxBodySize() < 1) out.add(new Problem("limits.maxBodySize", "must be >= 1"));
        }
        if (persistedQueries != null && persistedQueries.cacheSize() < 1) {
            out.add(new Problem("persistedQueries.cacheSize", "must be >= 1"));
        }
        return out;
    }
}
