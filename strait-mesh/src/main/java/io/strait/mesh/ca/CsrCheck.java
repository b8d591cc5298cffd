package io.strait.mesh.ca;

import io.strait.mesh.identity.SpiffeId;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * What the CA checks in a PKCS#10 CSR before signing it: that it parses (PEM or DER), that it is
 * signed by the key it carries (proof of possession) with a SHA-2 signature, that the key is strong
 * (RSA of at least {@value #MIN_RSA_BITS} bits, or EC on P-256 or P-384), and that it asks for no name
 * but the requester's own SPIFFE ID. The CA never copies a name from the CSR: the certificate's only
 * name is the authenticated identity; a CSR asking for another is refused outright, as a sign of a
 * confused or hostile requester.
 */
public final class CsrCheck {
    /** NIST SP 800-57 and the CA/Browser Forum: RSA below 2048 bits is weak. */
    public static final int MIN_RSA_BITS = 2048;
    /** Above this an RSA key costs every handshake much for no security a mesh needs; also bounds the work a CSR can ask for. */
    public static final int MAX_RSA_BITS = 8192;
    /** A CSR is a few hundred bytes; far more is not one. */
    public static final int MAX_CSR_BYTES = 16 * 1024;
    private static final Pattern PEM = Pattern.compile("-----BEGIN (NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\\s]*)-----END (NEW )?CERTIFICATE REQUEST-----");
    /** Named curves TLS stacks agree on; anything else (explicit parameters, exotic curves) is refused. */
    private static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
            SECObjectIdentifiers.secp256r1, "P-256", SECObjectIdentifiers.secp384r1, "P-384");
    private static final Set<ASN1ObjectIdentifier> SIGNATURES = Set.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption, PKCSObjectIdentifiers.sha384WithRSAEncryption,
            PKCSObjectIdentifiers.sha512WithRSAEncryption, X9ObjectIdentifiers.ecdsa_with_SHA256,
            X9ObjectIdentifiers.ecdsa_with_SHA384, X9ObjectIdentifiers.ecdsa_with_SHA512);

    private CsrCheck() {}

    /** The CSR's public key, once every check has passed for {@code identity}; else why not. */
    public static PublicKey check(byte[] csrPemOrDer, SpiffeId identity) throws CsrRejectedException {
        JcaPKCS10CertificationRequest csr = parse(csrPemOrDer);
        PublicKey key = key(csr);
        if (!SIGNATURES.contains(csr.getSignatureAlgorithm().getAlgorithm())) {
            throw new CsrRejectedException("the CSR is signed with " + csr.getSignatureAlgorithm().getAlgorithm()
                    + "; use SHA-256 or stronger with RSA or ECDSA");
        }
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw new CsrRejectedException("the CSR's signature does not verify with its public key");
            }
        } catch (OperatorCreationException | PKCSException e) {
            throw new CsrRejectedException("the CSR's signature cannot be verified: " + e.getMessage());
        }
        checkNames(csr, identity);
        return key;
    }

    static JcaPKCS10CertificationRequest parse(byte[] input) throws CsrRejectedException {
        if (input == null || input.length == 0) throw new CsrRejectedException("malformed CSR: empty");
        if (input.length > MAX_CSR_BYTES) throw new CsrRejectedException("malformed CSR: larger than " + MAX_CSR_BYTES + " bytes");
        byte[] der = input;
        if (input[0] == '-') {
            Matcher m = PEM.matcher(new String(input, StandardCharsets.US_ASCII));
            if (!m.find()) throw new CsrRejectedException("malformed CSR: no CERTIFICATE REQUEST PEM block");
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new CsrRejectedException("malformed CSR: the PEM block is not base64");
            }
        }
        try {
            return new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(der).getEncoded());
        } catch (IOException | RuntimeException e) {
            throw new CsrRejectedException("malformed CSR: not a PKCS#10 certification request");
        }
    }

    private static PublicKey key(JcaPKCS10CertificationRequest csr) throws CsrRejectedException {
        SubjectPublicKeyInfo spki = csr.getSubjectPublicKeyInfo();
        AlgorithmIdentifier alg = spki.getAlgorithm();
        PublicKey key;
        try {
            key = csr.getPublicKey();
        } catch (Exception e) {
            throw new CsrRejectedException("the CSR's public key cannot be read");
        }
        if (alg.getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption)) {
            int bits = ((RSAPublicKey) key).getModulus().bitLength();
            if (bits < MIN_RSA_BITS) throw new CsrRejectedException("the CSR's RSA key has " + bits + " bits; at least " + MIN_RSA_BITS + " are required");
            if (bits > MAX_RSA_BITS) throw new CsrRejectedException("the CSR's RSA key has " + bits + " bits; at most " + MAX_RSA_BITS + " are accepted");
            if (((RSAPublicKey) key).getPublicExponent().compareTo(BigInteger.valueOf(3)) < 0) throw new CsrRejectedException("the CSR's RSA key has a bad exponent");
            return key;
        }
        if (alg.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            if (!(alg.getParameters() instanceof ASN1ObjectIdentifier curve) || !CURVES.containsKey(curve)) {
                throw new CsrRejectedException("the CSR's EC key is not on a supported curve; use P-256 or P-384");
            }
            return key;
        }
        throw new CsrRejectedException("the CSR's key type " + alg.getAlgorithm() + " is not supported; use EC P-256 (recommended), P-384 or RSA");
    }

    private static void checkNames(JcaPKCS10CertificationRequest csr, SpiffeId identity) throws CsrRejectedException {
        for (var attr : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (var value : attr.getAttrValues()) {
                Extensions exts = Extensions.getInstance(value);
                GeneralNames sans = GeneralNames.fromExtensions(exts, Extension.subjectAlternativeName);
                if (sans == null) continue;
                for (GeneralName n : sans.getNames()) {
                    String asked = n.getTagNo() == GeneralName.uniformResourceIdentifier ? n.getName().toString() : null;
                    if (asked == null) {
                        throw new CsrRejectedException("the CSR asks for a name other than a SPIFFE ID; an SVID carries only " + identity);
                    }
                    if (!asked.equals(identity.uri())) {
                        throw new CsrRejectedException("the CSR asks for " + printable(asked) + " but the requester is " + identity);
                    }
                }
            }
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
