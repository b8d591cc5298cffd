package io.strait.proxy.resilience;

/** Why a cluster's circuit breakers turned something away; {@link #label()} is the metric's {@code kind}. */
public enum Overflow {
    /** maxRequests: too many requests in flight to the cluster. */
    MAX_REQUESTS("max_requests"),
    /** maxPendingRequests: too many requests waiting for a connection. */
    MAX_PENDING("max_pending"),
    /** maxConnections: a request had to wait instead of opening a connection. */
    MAX_CONNECTIONS("max_connections"),
    /** maxRetries: too many retries in flight. */
    MAX_RETRIES("max_retries"),
    /** The failure-rate breaker is open (or half-open and out of trial calls). */
    BREAKER_OPEN("breaker_open"),
    /** The route's retry budget is spent. */
    BUDGET("budget");

    private final String label;

    Overflow(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
