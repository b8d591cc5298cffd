package io.strait.mesh.ca;

/** The CA's own material cannot be used (missing file, key not matching, not a CA certificate); the message says which and why. */
public final class CaException extends Exception {
    public CaException(String message) {
        super(message);
    }

    public CaException(String message, Throwable cause) {
        super(message, cause);
    }
}
