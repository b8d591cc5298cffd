package io.strait.gateway.ratelimit;

/** The store could not answer: unreachable, too slow, or its breaker is open. */
public final class RateLimitStoreException extends RuntimeException {
    public RateLimitStoreException(String message) {
        super(message, null, false, false);
    }

    public RateLimitStoreException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
