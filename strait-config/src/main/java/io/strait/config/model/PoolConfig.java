package io.strait.config.model;

import java.time.Duration;

/**
 * Upstream connection pool per endpoint.
 *
 * @param maxConnections most connections to one endpoint from this process (HTTP/1.1)
 * @param maxPendingRequests requests that may wait for a connection before 503
 * @param idleTimeout an idle pooled connection is closed after this
 * @param connectTimeout connecting longer than this is a 504
 * @param maxRequestsPerConnection a connection is retired after this many requests, 0 for no limit
 */
public record PoolConfig(
        int maxConnections,
        int maxPendingRequests,
        Duration idleTimeout,
        Duration connectTimeout,
        int maxRequestsPerConnection) {}
