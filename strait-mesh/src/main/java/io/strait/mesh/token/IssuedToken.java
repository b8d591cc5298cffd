package io.strait.mesh.token;

import java.time.Instant;

/**
 * A join token just created: the secret, to show once and never store, and what it grants.
 * {@link #toString()} leaves the secret out, so that logging the record does not leak it.
 */
public record IssuedToken(String token, String id, String namespace, String account, Instant expiresAt, int maxUses) {
    @Override
    public String toString() {
        return "IssuedToken[id=" + id + ", " + namespace + "/" + account + ", expires " + expiresAt + ", uses " + maxUses + ", token=<redacted>]";
    }
}
