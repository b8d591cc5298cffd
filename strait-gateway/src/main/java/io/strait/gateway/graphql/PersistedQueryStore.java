package io.strait.gateway.graphql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Apollo's automatic persisted queries and the safelist: turns a request's {@code query} and
 * {@code extensions.persistedQuery} into the document text to run, or refuses it.
 * <ul>
 *   <li>hash alone: the registered (or safelisted) query; unknown: {@value #NOT_FOUND} (the client then sends
 *       the query with its hash)
 *   <li>query and hash: the hash must be the query's SHA-256 ({@value #HASH_MISMATCH}); it is registered
 *   <li>with a safelist, only its queries run, by hash or by text ({@value #NOT_IN_SAFELIST})
 *   <li>persisted queries off: a hash is refused ({@value #NOT_SUPPORTED})
 * </ul>
 * The registered queries are bounded ({@code cacheSize}, least recently used dropped); the safelist is not.
 */
final class PersistedQueryStore {
    static final String NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND";
    static final String NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED";
    static final String HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH";
    static final String NOT_IN_SAFELIST = "PERSISTED_QUERY_NOT_IN_SAFELIST";
    static final String BAD_REQUEST = "BAD_REQUEST";
    /** The only version of Apollo's persisted query protocol. */
    private static final int PROTOCOL_VERSION = 1;

    private final boolean on;
    private final boolean automatic;
    private final BoundedCache<String, String> registered;
    /** By hash: the safelisted queries, or null without a safelist. */
    private final Map<String, String> safelist;

    PersistedQueryStore(GraphqlConfig.PersistedQueries config) {
        this.on = config != null;
        this.automatic = on && config.automatic();
        this.registered = new BoundedCache<>(on ? config.cacheSize() : 1);
        this.safelist = on && config.safelistFile() != null ? byHash(config.safelist()) : null;
    }

    private static Map<String, String> byHash(List<String> queries) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String q : queries) out.put(sha256(q), q);
        return Map.copyOf(out);
    }

    /** The query text to run; throws {@link Refusal}. */
    String resolve(String query, Map<String, Object> extensions) {
        Object pq = extensions.get("persistedQuery");
        if (pq == null) {
            if (query == null) throw new Refusal(400, BAD_REQUEST, "the request has no query");
            return safelisted(query, sha256(query));
        }
        if (!(pq instanceof Map<?, ?> m) || !(m.get("sha256Hash") instanceof String hash) || hash.isEmpty()) {
            throw new Refusal(400, BAD_REQUEST, "extensions.persistedQuery must be an object with sha256Hash");
        }
        if (!(m.get("version") instanceof Number v) || v.intValue() != PROTOCOL_VERSION) {
            throw new Refusal(400, BAD_REQUEST, "extensions.persistedQuery.version must be " + PROTOCOL_VERSION);
        }
        if (!on) throw new Refusal(Refusal.BY_MEDIA_TYPE, NOT_SUPPORTED, "PersistedQueryNotSupported");
        String h = hash.toLowerCase(Locale.ROOT);
        if (query == null) {
            String known = safelist != null ? safelist.get(h) : registered.get(h);
            if (known == null) {
                throw new Refusal(Refusal.BY_MEDIA_TYPE, safelist != null && !automatic ? NOT_IN_SAFELIST : NOT_FOUND,
                        safelist != null && !automatic ? "this query is not in the safelist" : "PersistedQueryNotFound");
            }
            return known;
        }
        if (!sha256(query).equals(h)) throw new Refusal(400, HASH_MISMATCH, "provided sha256Hash does not match the query");
        safelisted(query, h);
        if (automatic && safelist == null) registered.put(h, query);
        return query;
    }

    private String safelisted(String query, String hash) {
        if (safelist != null && !safelist.containsKey(hash)) {
            throw new Refusal(Refusal.BY_MEDIA_TYPE, NOT_IN_SAFELIST, "this query is not in the safelist");
        }
        return query;
    }

    /** How many queries clients registered. */
    int registeredCount() {
        return registered.size();
    }

    /** The lowercase hex SHA-256 of the query's UTF-8 bytes, as Apollo's clients compute it. */
    static String sha256(String query) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(query.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
