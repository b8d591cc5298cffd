package io.strait.gateway.apikey;

import java.time.Instant;
import java.util.List;

/**
 * A freshly created key: the plaintext (to show once, never stored) and its stored record.
 * {@link #toString()} leaves the key out, so it cannot end up in a log by accident.
 */
public record IssuedKey(String key, ApiKeyRecord record) {
    /**
     * Makes a new key and stores its hash with a new record.
     *
     * @throws IllegalArgumentException for a bad tenant, plan, scope or an expiry not after {@code now}
     * @throws ApiKeyStoreException when the store cannot be written
     */
    public static IssuedKey issue(ApiKeyStore store, String tenant, String plan, List<String> scopes,
            List<ApiKeyRecord.RateLimit> rateLimits, Instant expiresAt, Instant now) {
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw new IllegalArgumentException("expiry " + expiresAt + " is not in the future");
        }
        ApiKeyRecord rec = new ApiKeyRecord(ApiKeys.newId(), tenant, plan, rateLimits, scopes,
                ApiKeyRecord.Status.ACTIVE, now, expiresAt);
        String key = ApiKeys.newKey();
        store.create(ApiKeys.hash(key), rec);
        return new IssuedKey(key, rec);
    }

    @Override
    public String toString() {
        return "IssuedKey[id=" + record.id() + ", key=<redacted>]";
    }
}
