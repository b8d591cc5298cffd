package io.strait.gateway.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import io.strait.config.model.JwtProviderConfig;
import io.strait.gateway.auth.AuthOutcome;
import java.text.ParseException;
import java.time.Instant;

/**
 * A token's claims judged by the rules a verified token meets ({@link ClaimsPolicy}: issuer, audience, expiry with the
 * clock skew, subject, tenant, scopes) without its signature: what {@code strait explain} shows offline, where the
 * issuer's keys are not at hand. Never an authentication: nothing here checks a signature.
 */
public final class UnverifiedClaims {
    private UnverifiedClaims() {}

    /**
     * {@code claimsJson} (a JWT's decoded payload) as {@code provider} would judge it if its signature were good:
     * {@link AuthOutcome.Verified} with the identity, or {@link AuthOutcome.Invalid} with the gateway's reason.
     */
    public static AuthOutcome evaluate(JwtProviderConfig provider, String claimsJson, Instant now) {
        try {
            return new ClaimsPolicy(provider).evaluate(JWTClaimsSet.parse(claimsJson), now.toEpochMilli());
        } catch (ParseException e) {
            return new AuthOutcome.Invalid(Reasons.MALFORMED);
        }
    }
}
