package io.strait.gateway.apikey;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where key records live, indexed by the SHA-256 hash of the key. {@link #lookup} is the request path:
 * it never blocks the calling thread. The management operations ({@link #create}, {@link #list},
 * {@link #revoke}) may block; they are used by the CLI, never on an event loop, and throw
 * {@link ApiKeyStoreException} on failure.
 */
public interface ApiKeyStore extends AutoCloseable {
    /** The record stored under this hash, empty when there is none; fails when the store cannot answer. */
    CompletionStage<Optional<ApiKeyRecord>> lookup(String hash);

    /** Stores a new record under the key's hash. */
    void create(String hash, ApiKeyRecord record);

    /** Every record, oldest first. */
    List<ApiKeyRecord> list();

    /**
     * Marks the key revoked (the record stays, so it still lists).
     *
     * @return the revoked record, or empty when no key has this id
     */
    Optional<ApiKeyRecord> revoke(String id);

    /** Where the keys are, for messages: a path or Redis host:port (never a password). */
    String describe();

    @Override
    void close();
}
