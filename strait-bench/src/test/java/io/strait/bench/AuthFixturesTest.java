package io.strait.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthFixturesTest {
    @Test
    void printsATokenSignedByTheKeyInTheWrittenJwks(@TempDir Path dir) throws Exception {
        Path jwks = dir.resolve("jwks.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            AuthFixtures.main(new String[] {jwks.toString(), "https://iss.test/", "aud", "sub"});
        } finally {
            System.setOut(stdout);
        }

        SignedJWT jwt = SignedJWT.parse(out.toString(StandardCharsets.UTF_8).strip());
        JWKSet set = JWKSet.load(jwks.toFile());
        assertThat(set.getKeys()).singleElement().satisfies(k -> assertThat(k.isPrivate()).isFalse());
        ECKey publicKey = set.getKeys().getFirst().toECKey();
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(publicKey.getKeyID());
        assertThat(jwt.verify(new ECDSAVerifier(publicKey))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("https://iss.test/");
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("aud");
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("sub");
        assertThat(jwt.getJWTClaimsSet().getExpirationTime()).isAfter(Date.from(Instant.now().plus(AuthFixtures.TOKEN_LIFETIME).minusSeconds(60)));
    }

    @Test
    void aTokenFromAnotherKeyDoesNotVerify() throws Exception {
        ECKey signer = new ECKeyGenerator(Curve.P_256).keyID("bench").generate();
        ECKey other = new ECKeyGenerator(Curve.P_256).keyID("bench").generate();
        SignedJWT jwt = SignedJWT.parse(AuthFixtures.token(signer, "i", "a", "s", Instant.now()));

        assertThat(jwt.verify(new ECDSAVerifier(other.toPublicJWK()))).isFalse();
        assertThat(jwt.verify(new ECDSAVerifier(signer.toPublicJWK()))).isTrue();
    }
}
