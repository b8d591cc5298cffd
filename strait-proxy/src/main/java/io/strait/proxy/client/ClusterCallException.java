package io.strait.proxy.client;

/**
 * Why a {@link ClusterClient} call got no response: {@link #reason()} says which failure, and the message
 * names the cluster (and the endpoint, when one was chosen). No stack trace: it is an expected outcome.
 */
public final class ClusterCallException extends RuntimeException {
    /** The ways a call fails; each maps to the error a caller would answer with ({@link #error()}). */
    public enum Reason {
        /** No cluster of that name in the running configuration. */
        UNKNOWN_CLUSTER("unknown_cluster"),
        /** The cluster has no healthy endpoint (all failing health checks or ejected). */
        NO_HEALTHY_ENDPOINT("no_healthy_upstream"),
        /** The cluster's circuit breaker is open, or its request or pending limits are reached. */
        OVERLOADED("upstream_overloaded"),
        /** The connection could not be made (refused, unreachable, connect timeout, TLS). */
        CONNECT_FAILURE("upstream_connect_failure"),
        /** The whole response did not arrive within the request's timeout. */
        TIMEOUT("upstream_timeout"),
        /** The response body is longer than the request's {@code maxResponseBytes}. */
        RESPONSE_TOO_LARGE("upstream_response_too_large"),
        /** The connection closed before the whole response, or the response was malformed. */
        RESET("upstream_reset"),
        /** No proxy runs the client (a filter built in a unit test). */
        UNAVAILABLE("client_unavailable");

        private final String error;

        Reason(String error) {
            this.error = error;
        }

        /** The error code for a JSON error body or a partial-failure marker. */
        public String error() {
            return error;
        }
    }

    private final Reason reason;
    private final String cluster;

    public ClusterCallException(Reason reason, String cluster, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.cluster = cluster;
    }

    public Reason reason() {
        return reason;
    }

    public String cluster() {
        return cluster;
    }

    /** {@link Reason#error()} of this failure. */
    public String error() {
        return reason.error();
    }
}
