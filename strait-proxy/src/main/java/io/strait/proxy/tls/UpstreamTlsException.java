package io.strait.proxy.tls;

/**
 * A TLS connection to an upstream endpoint failed: its handshake, the server certificate's check, or
 * ALPN. The message says which endpoint and why ("TLS to 10.0.0.7:8443 (users.internal): the
 * certificate does not match spiffe://..."), for the client's 502 and the logs.
 */
public final class UpstreamTlsException extends Exception {
    public UpstreamTlsException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
