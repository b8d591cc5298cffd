package io.strait.proxy.resilience;

/**
 * How one upstream attempt ended, as circuit breakers and outlier detection see it. Every kind but
 * {@link #OK} and {@link #CANCELLED} is a failure; {@link #CANCELLED} (the client left) counts
 * neither way, it only gives back whatever permit the attempt held.
 */
public enum AttemptResult {
    /** A response below 500. */
    OK,
    /** A 5xx response other than 502, 503 and 504. */
    SERVER_ERROR,
    /** A 502, 503 or 504 response. */
    GATEWAY_ERROR,
    /** The connection could not be made (refused, unreachable, connect timeout). */
    CONNECT_FAILURE,
    /** The connection closed or was reset before the whole response arrived. */
    RESET,
    /** No response head within the per-try or route timeout. */
    TIMEOUT,
    /** The downstream client went away: neither a success nor a failure. */
    CANCELLED;

    /** The result of a response with {@code status}: 502/503/504 a gateway error, other 5xx a server error, else OK. */
    public static AttemptResult ofStatus(int status) {
        if (status == 502 || status == 503 || status == 504) return GATEWAY_ERROR;
        return status >= 500 && status <= 599 ? SERVER_ERROR : OK;
    }

    /** Whether this counts as a failure (every kind but OK and CANCELLED). */
    public boolean failure() {
        return this != OK && this != CANCELLED;
    }

    /** Whether this is a gateway error for outlier detection: 502/503/504, refused, reset or timed out. */
    public boolean gatewayError() {
        return this == GATEWAY_ERROR || this == CONNECT_FAILURE || this == RESET || this == TIMEOUT;
    }
}
