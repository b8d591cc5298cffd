package io.strait.gateway.auth;

import io.strait.config.model.ApiKeysConfig;
import io.strait.config.model.JwtProviderConfig;

/**
 * Builds the authenticator of each credential kind. Called on the control thread; may do blocking
 * setup (open a store, read a file). Throws {@link IllegalArgumentException} with a message naming the
 * config path when the settings cannot be served.
 */
public interface AuthenticatorFactory extends AutoCloseable {
    Authenticator jwt(JwtProviderConfig provider);

    Authenticator apiKeys(ApiKeysConfig apiKeys);

    /** Releases what the authenticators share (HTTP client, scheduler). */
    @Override
    default void close() {}
}
