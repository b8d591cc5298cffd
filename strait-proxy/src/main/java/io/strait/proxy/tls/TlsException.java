package io.strait.proxy.tls;

/** Certificates that cannot be served; the message names the file and never holds key material. */
public final class TlsException extends Exception {
    TlsException(String message) {
        super(message);
    }
}
