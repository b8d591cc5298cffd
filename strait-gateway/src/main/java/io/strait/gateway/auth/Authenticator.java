package io.strait.gateway.auth;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.CompletionStage;

/**
 * Checks one kind of credential ({@code jwt:NAME} or {@code apiKey}). Called on the request's event
 * loop: it must not block. A result that needs I/O (a JWKS fetch, a key-store lookup) completes later,
 * on any thread; the caller hops back to its loop. Implementations never throw: every failure is an
 * {@link AuthOutcome}.
 */
public interface Authenticator extends AutoCloseable {
    /**
     * @param headers the request's headers (read only here)
     * @param query the raw query string without '?', or null
     */
    CompletionStage<AuthOutcome> authenticate(HttpHeaders headers, String query);

    /**
     * Removes this credential from a request about to go upstream, unless configured to forward it.
     *
     * @param query the raw query string without '?', or null
     * @return the query string to forward (without a credential parameter), or null for none
     */
    String stripCredential(HttpHeaders headers, String query);

    /** Stops background work (refresh timers, connections). */
    @Override
    void close();
}
