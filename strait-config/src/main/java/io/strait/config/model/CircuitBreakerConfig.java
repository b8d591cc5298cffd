package io.strait.config.model;

import java.time.Duration;

/**
 * A cluster's circuit breakers. Thresholds (Envoy's kind): past any of them Strait answers 503 at
 * once; 0 means no limit. The failure-rate breaker (Resilience4j's kind) is off when null.
 *
 * @param maxConnections upstream connections open to the whole cluster from this process
 * @param maxPendingRequests requests waiting for a connection, cluster-wide
 * @param maxRequests requests in flight to the cluster
 * @param maxRetries retries in flight to the cluster
 */
public record CircuitBreakerConfig(
        int maxConnections,
        int maxPendingRequests,
        int maxRequests,
        int maxRetries,
        FailureRate failureRate) {

    /**
     * CLOSED to OPEN when, over the last {@code window}, at least {@code minimumCalls} calls were
     * made and at least {@code thresholdPercent} of them failed (5xx, reset, refused, timed out).
     * OPEN answers 503 for {@code openFor}; then HALF_OPEN lets {@code halfOpenCalls} calls through:
     * if they all succeed it closes, the first failure re-opens it.
     */
    public record FailureRate(int thresholdPercent, int minimumCalls, Duration window, Duration openFor, int halfOpenCalls) {
        public static final int DEFAULT_THRESHOLD_PERCENT = 50;
        public static final int DEFAULT_MINIMUM_CALLS = 20;
        public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
        public static final Duration DEFAULT_OPEN_FOR = Duration.ofSeconds(30);
        public static final int DEFAULT_HALF_OPEN_CALLS = 3;
    }
}
