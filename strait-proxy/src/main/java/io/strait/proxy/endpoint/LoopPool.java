package io.strait.proxy.endpoint;

/**
 * The connections to one endpoint owned by one event loop. Requests on a loop use only that loop's
 * connections (as in Netty's proxy example), so nothing here is shared between threads and nothing
 * needs a lock. Every method runs on the loop, except the counters, read by metrics.
 */
interface LoopPool {
    /** Hands a connection (HTTP/1.1) or a new stream (HTTP/2) to {@code cb}, now or later. */
    void acquire(PoolCallback cb);

    /** Returns a connection after a clean exchange; {@code requestsServed} counts its requests. */
    void release(UpstreamConnection c, int requestsServed);

    /** A connection or stream closed, for whatever reason. */
    void closed(UpstreamConnection c);

    String endpointId();

    int idleCount();

    int activeCount();

    int pendingCount();

    void closeIdle();
}
