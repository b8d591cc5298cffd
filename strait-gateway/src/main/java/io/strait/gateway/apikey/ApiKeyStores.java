package io.strait.gateway.apikey;

import io.strait.config.model.ApiKeysConfig;

/** Opens the store that {@code auth.apiKeys.store} names. */
public final class ApiKeyStores {
    private ApiKeyStores() {}

    /** A gateway's store: a file store watches its file for changes. */
    public static ApiKeyStore forGateway(ApiKeysConfig.Store s) {
        return switch (s.type()) {
            case FILE -> FileApiKeyStore.watching(s.path(), FileApiKeyStore.DEFAULT_RELOAD_INTERVAL);
            case REDIS -> new RedisApiKeyStore(s.uri(), s.keyPrefix());
        };
    }

    /** A store for management commands: no background work. */
    public static ApiKeyStore forManagement(ApiKeysConfig.Store s) {
        return switch (s.type()) {
            case FILE -> FileApiKeyStore.open(s.path());
            case REDIS -> new RedisApiKeyStore(s.uri(), s.keyPrefix());
        };
    }
}
