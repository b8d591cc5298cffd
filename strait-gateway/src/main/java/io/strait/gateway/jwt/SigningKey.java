package io.strait.gateway.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * One public verification key from the JWKS, with the algorithms it may check. Built once per JWKS load; only the
 * public part of a JWK is kept.
 */
final class SigningKey {
    /** NIST SP 800-131A: RSA keys under 2048 bits are not acceptable for signatures. */
    static final int MIN_RSA_BITS = 2048;
    private static final Set<JWSAlgorithm> RSA_ALGS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final Set<JWSAlgorithm> ED_ALGS = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    final String kid;
    private final Set<JWSAlgorithm> algorithms;
    private final JWSVerifier verifier;

    private SigningKey(String kid, Set<JWSAlgorithm> algorithms, JWSVerifier verifier) {
        this.kid = kid;
        this.algorithms = algorithms;
        this.verifier = verifier;
    }

    /** The key as a verifier, or null when it cannot verify an accepted signature (wrong use, type, size, curve). */
    static SigningKey from(JWK jwk) throws JOSEException {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) return null;
        if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) return null;
        String kid = jwk.getKeyID();
        if (kid != null && !BearerToken.isSafeKid(kid)) return null;
        Set<JWSAlgorithm> algs;
        JWSVerifier verifier;
        if (jwk instanceof RSAKey rsa) {
            if (rsa.size() < MIN_RSA_BITS) return null;
            algs = RSA_ALGS;
            verifier = new RSASSAVerifier(rsa.toRSAPublicKey());
        } else if (jwk instanceof ECKey ec) {
            JWSAlgorithm alg = ecAlgorithm(ec.getCurve());
            if (alg == null) return null;
            algs = Set.of(alg);
            verifier = new ECDSAVerifier(ec.toECPublicKey());
        } else if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            algs = ED_ALGS;
            verifier = new Ed25519JdkVerifier(okp.getDecodedX());
        } else {
            return null; // symmetric ("oct"), X25519, Ed448, secp256k1: never signature keys we accept
        }
        if (jwk.getAlgorithm() != null) {
            JWSAlgorithm declared = JWSAlgorithm.parse(jwk.getAlgorithm().getName());
            if (!algs.contains(declared)) return null; // the JWK contradicts its own type
            algs = ED_ALGS.contains(declared) ? ED_ALGS : Set.of(declared);
        }
        return new SigningKey(kid, algs, verifier);
    }

    /** Whether this key may check a signature made with {@code alg} (key type, curve and the JWK's own alg). */
    boolean accepts(JWSAlgorithm alg) {
        return algorithms.contains(alg);
    }

    boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) {
        try {
            return verifier.verify(header, signingInput, signature);
        } catch (JOSEException | RuntimeException e) {
            return false; // a malformed signature is a bad signature
        }
    }

    private static JWSAlgorithm ecAlgorithm(Curve c) {
        if (Curve.P_256.equals(c)) return JWSAlgorithm.ES256;
        if (Curve.P_384.equals(c)) return JWSAlgorithm.ES384;
        if (Curve.P_521.equals(c)) return JWSAlgorithm.ES512;
        return null;
    }

    /** Ed25519 with the JDK's own provider (nimbus's Ed25519Verifier needs Google Tink, which we do not ship). */
    static final class Ed25519JdkVerifier implements JWSVerifier {
        /** DER SubjectPublicKeyInfo prefix for an Ed25519 key (RFC 8410): the 32 key bytes follow. */
        private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
        private static final int KEY_BYTES = 32;
        private static final int SIGNATURE_BYTES = 64;
        private final PublicKey key;

        Ed25519JdkVerifier(byte[] x) throws JOSEException {
            if (x == null || x.length != KEY_BYTES) throw new JOSEException("bad Ed25519 key length");
            byte[] der = new byte[SPKI_PREFIX.length + KEY_BYTES];
            System.arraycopy(SPKI_PREFIX, 0, der, 0, SPKI_PREFIX.length);
            System.arraycopy(x, 0, der, SPKI_PREFIX.length, KEY_BYTES);
            try {
                key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                throw new JOSEException("bad Ed25519 key", e);
            }
        }

        @Override
        public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
            if (!ED_ALGS.contains(header.getAlgorithm())) return false;
            byte[] sig = signature.decode();
            if (sig.length != SIGNATURE_BYTES) return false;
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(signingInput);
                return s.verify(sig);
            } catch (GeneralSecurityException e) {
                return false;
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return ED_ALGS;
        }

        @Override
        public com.nimbusds.jose.jca.JCAContext getJCAContext() {
            return new com.nimbusds.jose.jca.JCAContext();
        }
    }
}
