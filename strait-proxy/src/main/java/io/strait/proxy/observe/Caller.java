package io.strait.proxy.observe;

/**
 * Who a request comes from, as its authentication established it: what the access log records of the
 * caller. Identifiers only, never a credential (a key, a token).
 *
 * @param tenant the tenant (an API key's, or a JWT claim's), or null
 * @param keyId the API key's id (not the key), or null
 * @param subject the JWT subject or the mesh peer's SPIFFE id, or null
 */
public record Caller(String tenant, String keyId, String subject) {}
