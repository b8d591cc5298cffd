package io.strait.gateway.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;

/** A signing key for tests: its public JWK (what the JWKS serves) and a way to sign compact JWS. */
final class TestKey {
    interface Signer {
        Base64URL sign(JWSHeader header, byte[] input) throws Exception;
    }

    final JWK publicJwk;
    final JWSAlgorithm alg;
    private final Signer signer;

    private TestKey(JWK publicJwk, JWSAlgorithm alg, Signer signer) {
        this.publicJwk = publicJwk;
        this.alg = alg;
        this.signer = signer;
    }

    static TestKey rsa(String kid) {
        try {
            RSAKey k = new RSAKeyGenerator(2048).keyID(kid).generate();
            RSASSASigner s = new RSASSASigner(k);
            return new TestKey(k.toPublicJWK(), JWSAlgorithm.RS256, s::sign);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static TestKey ec(String kid) {
        try {
            ECKey k = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
            ECDSASigner s = new ECDSASigner(k);
            return new TestKey(k.toPublicJWK(), JWSAlgorithm.ES256, s::sign);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ed25519 through the JDK (nimbus's Ed25519Signer needs Google Tink). */
    static TestKey ed25519(String kid) {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] spki = kp.getPublic().getEncoded();
            byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
            OctetKeyPair jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(kid).build();
            Signer s = (h, input) -> {
                Signature sig = Signature.getInstance("Ed25519");
                sig.initSign(kp.getPrivate());
                sig.update(input);
                return Base64URL.encode(sig.sign());
            };
            return new TestKey(jwk, JWSAlgorithm.EdDSA, s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy whose public JWK carries another kid or a declared alg (same key material). */
    TestKey withJwk(JWK jwk) {
        return new TestKey(jwk, alg, signer);
    }

    String kid() {
        return publicJwk.getKeyID();
    }

    /** Signs raw header and payload JSON (for crafted headers); the header's alg is taken from the JSON. */
    String signRaw(String headerJson, String payloadJson) {
        try {
            Base64URL h = Base64URL.encode(headerJson.getBytes(StandardCharsets.UTF_8));
            Base64URL p = Base64URL.encode(payloadJson.getBytes(StandardCharsets.UTF_8));
            byte[] input = (h + "." + p).getBytes(StandardCharsets.US_ASCII);
            return h + "." + p + "." + signer.sign(JWSHeader.parse(h), input);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
