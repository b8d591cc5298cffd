package io.strait.config.tls;

/** A PEM file that cannot be used; the message is meant for operators and never holds key material. */
public final class PemException extends Exception {
    public PemException(String message) {
        super(message);
    }
}
