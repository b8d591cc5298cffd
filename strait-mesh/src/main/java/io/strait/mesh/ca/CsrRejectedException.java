package io.strait.mesh.ca;

/** A certificate signing request the CA will not sign; the message says why, for the requester. */
public final class CsrRejectedException extends Exception {
    public CsrRejectedException(String message) {
        super(message);
    }

    public CsrRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
