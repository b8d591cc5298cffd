package io.strait.proxy.endpoint;

/** The exchange an upstream connection currently serves; all calls arrive on the connection's event loop. */
public interface UpstreamListener {
    /**
     * A response head or body chunk ({@code HttpObject}), or raw bytes once the connection is a
     * tunnel; the listener owns (and must release or pass on) the message.
     */
    void onUpstreamMessage(Object msg);

    /** The end of one socket read: time to flush what was passed downstream. */
    void onUpstreamReadComplete();

    /** The upstream writability changed (request body backpressure). */
    void onUpstreamWritabilityChanged(boolean writable);

    /** The connection closed or failed while serving this exchange. */
    void onUpstreamClosed(Throwable cause);
}
