package io.strait.proxy.endpoint;

/** Receives a pooled connection, at once when one is idle or later when a new one connects. */
public interface PoolCallback {
    void onAcquired(UpstreamConnection connection);

    /** Connecting failed, timed out, or the pool's pending queue is full ({@link PoolOverflowException}). */
    void onAcquireFailed(Throwable cause);
}
