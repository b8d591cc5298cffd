package io.strait.gateway.auth;

import io.netty.util.AttributeKey;
import java.util.Map;
import java.util.Set;

/**
 * Who a verified credential says the caller is. Sent upstream as identity headers.
 *
 * @param source the credential that proved it: {@code jwt:NAME} or {@code apiKey}
 * @param userId {@code X-User-ID} (a JWT's {@code sub}); null for an API key
 * @param tenant {@code X-Tenant-ID}; may be null
 * @param scopes granted scopes ({@code X-Scopes}, space separated)
 * @param keyId {@code X-API-Key-ID} for an API key; null for a JWT
 * @param extraHeaders configured claim headers (header name to value)
 * @param plan the API key's plan (rate-limit policies may give plans their own limits); null for a JWT
 * @param claims a verified JWT's claims (dates as epoch seconds), for later filters ({@code %claim.sub%}); empty for an API key
 */
public record Identity(String source, String userId, String tenant, Set<String> scopes, String keyId,
        Map<String, String> extraHeaders, String plan, Map<String, Object> claims) {
    /** An identity without token claims. */
    public Identity(String source, String userId, String tenant, Set<String> scopes, String keyId,
            Map<String, String> extraHeaders, String plan) {
        this(source, userId, tenant, scopes, keyId, extraHeaders, plan, Map.of());
    }

    /** An identity without a plan. */
    public Identity(String source, String userId, String tenant, Set<String> scopes, String keyId,
            Map<String, String> extraHeaders) {
        this(source, userId, tenant, scopes, keyId, extraHeaders, null, Map.of());
    }

    /**
     * The verified caller of a request, for the filters after the auth policy (rate limits key on it).
     * Absent on routes without a policy.
     */
    public static final AttributeKey<Identity> KEY = AttributeKey.valueOf("strait.identity");
}
