package io.strait.gateway.jwt;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Where a provider's JWKS document comes from. Fetches run off the caller's thread and never block it. */
interface JwksSource {
    /**
     * Starts one fetch. Completes with the document, with null when the source knows it is unchanged since the last
     * successful read, or exceptionally (with a short, key-free reason as the message) on any failure.
     */
    CompletableFuture<byte[]> fetch();

    /** How long after a successful fetch the next one is due. */
    Duration nextAfterSuccess();

    /** For logs: the URL or file (configuration, not a secret). */
    String describe();
}
