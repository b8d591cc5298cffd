package io.strait.mesh.token;

/**
 * A join token that was not accepted. Its message is the same whatever the reason, so that a caller
 * learns nothing about which tokens exist; the {@link #reason()} is for the control plane's own log.
 */
public final class TokenRefusedException extends Exception {
    /** The one message every caller sees. */
    public static final String MESSAGE = "join token refused";

    /** Why, for logs and tests only. */
    public enum Reason { MALFORMED, UNKNOWN, EXPIRED, USED_UP }

    private final Reason reason;

    TokenRefusedException(Reason reason) {
        super(MESSAGE, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
