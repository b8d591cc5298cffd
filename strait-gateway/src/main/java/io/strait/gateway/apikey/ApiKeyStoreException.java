package io.strait.gateway.apikey;

/**
 * A key store operation failed (Redis unreachable, the key file unreadable). The message is meant for an
 * operator: it names the store (host:port or path) and never carries a password or a key.
 */
public final class ApiKeyStoreException extends RuntimeException {
    public ApiKeyStoreException(String message) {
        super(message);
    }

    public ApiKeyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
