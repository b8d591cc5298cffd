package io.strait.proxy.http;

/**
 * Why Strait answered a request itself instead of relaying the upstream's answer: the {@code reason} label of
 * {@code strait_requests_total} (with {@code responder="strait"}), one snake_case word each, as Envoy's response
 * flags and Kong's {@code source="kong"|"exit"} tell a proxy's answers from the service's. The JSON error's
 * {@code error} code stays the fine detail (in the body and the access log); the reason is the coarse, bounded
 * part a dashboard groups by. docs/operations.md has the table; keep it in step.
 */
public enum ReplyReason {
    /** No route matched the request (404), or the mesh knows no such service. */
    NO_ROUTE("no_route"),
    /** The route has no cluster to send to (503). */
    NO_CLUSTER("no_cluster"),
    /** Authentication or authorization refused the caller (401, 403), or could not decide (503). */
    AUTH("auth"),
    /** A rate limit refused the request (429), or its store could not decide and the policy fails closed (503). */
    RATE_LIMITED("rate_limited"),
    /** The cluster has no healthy endpoint (503). */
    NO_HEALTHY_UPSTREAM("no_healthy_upstream"),
    /** The cluster's failure-rate circuit breaker is open (503). */
    BREAKER_OPEN("breaker_open"),
    /** A circuit-breaker threshold (maxRequests, maxPendingRequests, maxRetries) turned the request away (503). */
    UPSTREAM_OVERFLOW("upstream_overflow"),
    /** The route's timeout (or the try's) passed before the upstream answered, or the connect timed out (504). */
    TIMEOUT("timeout"),
    /** The upstream could not be reached or broke the exchange: connect failure, TLS failure, reset, an invalid
     *  or too large response (502, 503). */
    UPSTREAM_ERROR("upstream_error"),
    /** A filter threw, failed or did not answer within the route's timeout (500, 503, 504). */
    FILTER_ERROR("filter_error"),
    /** The request was malformed: an invalid path, a bad body, invalid JSON for a filter that reads it (400). */
    BAD_REQUEST("bad_request"),
    /** The request's body passed the route's or the listener's limit (413). */
    REQUEST_TOO_LARGE("request_too_large"),
    /** The client did not send its whole request within the listener's requestTimeout (408). */
    REQUEST_TIMEOUT("request_timeout"),
    /** The client went away before an answer (counted as 499, as nginx does). */
    CLIENT_CLOSED("client_closed"),
    /** The route's fault injection answered (its abort status). */
    FAULT_INJECTED("fault_injected"),
    /** A CORS policy answered a preflight or refused an origin (204, 403). */
    CORS("cors"),
    /** API versioning refused the request: a version required, unknown or past its sunset (400, 410). */
    API_VERSION("api_version"),
    /** A filter served the request itself: aggregation, GraphQL (any status, 200 included). */
    DIRECT_RESPONSE("direct_response"),
    /** A filter answered and named no reason of the above (a filter's {@code FilterResult.respond} without one). */
    FILTER("filter");

    private final String label;

    ReplyReason(String label) {
        this.label = label;
    }

    /** The metric label value. */
    public String label() {
        return label;
    }
}
