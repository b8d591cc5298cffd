package io.strait.mesh.svid;

import io.strait.mesh.identity.SpiffeId;
import java.io.IOException;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The sidecar's side of issuance: a fresh EC P-256 key pair made in this process, and the CSR that
 * proves possession of it. Only the CSR leaves the process; the private key stays in memory (it is
 * handed to the TLS engine, never written, never logged: {@link #toString()} omits it). A new key is
 * made for every renewal, so a leaked key dies with its SVID.
 */
public final class WorkloadKey {
    private final KeyPair keyPair;

    private WorkloadKey(KeyPair keyPair) {
        this.keyPair = keyPair;
    }

    /** A new P-256 key (the curve every TLS stack supports, and fast to sign with). CPU work of about a millisecond. */
    public static WorkloadKey generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return new WorkloadKey(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    public java.security.PublicKey publicKey() {
        return keyPair.getPublic();
    }

    /** A PKCS#10 CSR (PEM) for {@code id}, signed with this key; it asks for the one URI SAN the CA will set anyway. */
    public String csrPem(SpiffeId id) {
        try (StringWriter out = new StringWriter(); JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(csr(id));
            w.flush();
            return out.toString();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the CSR", e);
        }
    }

    /** The CSR as DER. */
    public byte[] csrDer(SpiffeId id) {
        try {
            return csr(id).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the CSR", e);
        }
    }

    private PKCS10CertificationRequest csr(SpiffeId id) {
        try {
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.subjectAlternativeName, true,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.uri())));
            return new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), keyPair.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()));
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot build the CSR", e);
        }
    }

    @Override
    public String toString() {
        return "WorkloadKey[EC P-256, private key not shown]";
    }
}
