package io.strait.mesh.svid;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.mesh.identity.SpiffeId;
import java.io.StringReader;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

/** The hand-written CSR against BouncyCastle's builder and parser (the CA reads it with the latter). */
class WorkloadKeyTest {
    private static final SpiffeId ID = new SpiffeId("cluster.local", "shop", "orders");

    @Test
    void theCsrIsWhatBouncyCastlesBuilderMakesAndItsSignatureVerifies() throws Exception {
        WorkloadKey key = WorkloadKey.generate();
        PKCS10CertificationRequest ours = new PKCS10CertificationRequest(key.csrDer(ID));
        assertThat(ours.toASN1Structure().getCertificationRequestInfo().getEncoded())
                .isEqualTo(bouncyCastles(key, ID).toASN1Structure().getCertificationRequestInfo().getEncoded());
        assertThat(ours.getSignatureAlgorithm().getAlgorithm().getId()).isEqualTo("1.2.840.10045.4.3.2");
        assertThat(ours.getSignatureAlgorithm().getParameters()).isNull();
        assertThat(ours.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.publicKey()))).isTrue();
        assertThat(ours.getSubject().getRDNs()).isEmpty();
        Extensions ext = Extensions.getInstance(ours.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
        assertThat(ext.getExtension(Extension.subjectAlternativeName).isCritical()).isTrue();
        assertThat(GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName).getNames())
                .containsExactly(new GeneralName(GeneralName.uniformResourceIdentifier, ID.uri()));
    }

    @Test
    void aSignatureMadeWithAnotherKeyDoesNotVerify() throws Exception {
        WorkloadKey key = WorkloadKey.generate();
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(key.csrDer(ID));
        assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(WorkloadKey.generate().publicKey()))).isFalse();
    }

    /** Lengths of 128 bytes and more take DER's long form. */
    @Test
    void aLongIdentityEncodesItsLengthsInTheLongForm() throws Exception {
        SpiffeId longId = new SpiffeId("example.org", "n".repeat(120), "a".repeat(150));
        WorkloadKey key = WorkloadKey.generate();
        PKCS10CertificationRequest ours = new PKCS10CertificationRequest(key.csrDer(longId));
        assertThat(ours.toASN1Structure().getCertificationRequestInfo().getEncoded())
                .isEqualTo(bouncyCastles(key, longId).toASN1Structure().getCertificationRequestInfo().getEncoded());
        assertThat(ours.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.publicKey()))).isTrue();
    }

    @Test
    void thePemIsACertificateRequestBouncyCastleReads() throws Exception {
        WorkloadKey key = WorkloadKey.generate();
        String pem = key.csrPem(ID);
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----\n").endsWith("-----END CERTIFICATE REQUEST-----\n");
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            PKCS10CertificationRequest parsed = (PKCS10CertificationRequest) p.readObject();
            assertThat(parsed.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.publicKey()))).isTrue();
        }
        assertThat(key.toString()).doesNotContain(java.util.Base64.getEncoder().encodeToString(key.privateKey().getEncoded()));
    }

    private static PKCS10CertificationRequest bouncyCastles(WorkloadKey key, SpiffeId id) throws Exception {
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, true,
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.uri())));
        return new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key.publicKey())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.privateKey()));
    }
}
