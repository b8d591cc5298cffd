package io.strait.gateway.auth;

/** What one {@link Authenticator} concluded about a request. */
public sealed interface AuthOutcome {
    /** The credential is valid. */
    record Verified(Identity identity) implements AuthOutcome {}

    /** The request carries no credential of this kind. */
    record Missing() implements AuthOutcome {}

    /**
     * The credential is there but not valid (401). {@code description} goes to the client in
     * {@code WWW-Authenticate: Bearer error="invalid_token", error_description="..."}: short, fixed text
     * such as "token expired", never the token, a key or an exception message.
     */
    record Invalid(String description) implements AuthOutcome {}

    /** The credential cannot be checked now (keys or key store unreachable, nothing cached): 503. */
    record Unavailable(String description) implements AuthOutcome {}

    AuthOutcome MISSING = new Missing();
}
