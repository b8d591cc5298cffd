package io.strait.mesh.identity;

/** A presented X.509 SVID that does not prove an identity; the message says why (never quoting key material). */
public final class SvidException extends Exception {
    public SvidException(String message) {
        super(message);
    }

    public SvidException(String message, Throwable cause) {
        super(message, cause);
    }
}
