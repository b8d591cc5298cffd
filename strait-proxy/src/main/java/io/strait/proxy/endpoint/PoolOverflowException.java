package io.strait.proxy.endpoint;

/** Too many requests already wait for a connection to this endpoint. */
public final class PoolOverflowException extends Exception {
    public PoolOverflowException(String endpoint) {
        super("too many pending requests for " + endpoint, null, false, false);
    }
}
