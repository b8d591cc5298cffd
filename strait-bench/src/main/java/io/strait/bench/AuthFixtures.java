package io.strait.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Token fixtures for the authentication load test ({@code bench/auth.sh}): makes an ES256 (P-256) key, writes its
 * public half as a JWKS file and prints one signed token to standard output.
 *
 * <p>Usage: {@code AuthFixtures JWKS_FILE ISSUER AUDIENCE SUBJECT}. The private key lives only in this process.
 */
public final class AuthFixtures {
    /** Far longer than any benchmark run, so the token cannot expire mid-run (nor leave the verified-token cache). */
    static final Duration TOKEN_LIFETIME = Duration.ofDays(1);

    private AuthFixtures() {}

    public static void main(String[] args) throws IOException, JOSEException {
        if (args.length != 4) {
            System.err.println("usage: AuthFixtures JWKS_FILE ISSUER AUDIENCE SUBJECT");
            System.exit(2);
        }
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("bench").generate();
        Files.writeString(Path.of(args[0]), new JWKSet(key.toPublicJWK()).toString(), StandardCharsets.UTF_8);
        System.out.println(token(key, args[1], args[2], args[3], Instant.now()));
    }

    /** An ES256 token signed with {@code key}, valid from {@code now} for {@link #TOKEN_LIFETIME}. */
    static String token(ECKey key, String issuer, String audience, String subject, Instant now) throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer).audience(audience).subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
