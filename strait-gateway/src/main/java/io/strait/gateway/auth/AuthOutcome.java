package io.strait.gateway.auth;

/** What one {@link Authenticator} concluded about a request. */
public sealed interface AuthOutcome {
    /**
     * The credential is valid; {@code claims} are a verified token's claims (JSON values: strings, numbers,
     * booleans, lists, objects), empty for other credentials. Later filters read them from
     * {@code RequestContext.claims()} (e.g. the headers filter's {@code %claim.sub%}).
     */
    record Verified(Identity identity, java.util.Map<String, Object> claims) implements AuthOutcome {
        public Verified(Identity identity) {
            this(identity, java.util.Map.of());
        }
    }

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
