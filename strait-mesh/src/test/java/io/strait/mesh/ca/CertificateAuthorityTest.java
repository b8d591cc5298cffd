package io.strait.mesh.ca;

import static io.strait.mesh.testing.TestPki.NOW;
import static io.strait.mesh.testing.TestPki.TD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.mesh.store.MemoryStore;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SVIDs as the SPIFFE X509-SVID standard says, from real CSRs, checked with the JDK's parser (and openssl when present). */
class CertificateAuthorityTest {
    static final SpiffeId ORDERS = new SpiffeId(TD, "shop", "orders");
    static CaMaterial root;

    @BeforeAll
    static void makeRoot() throws Exception {
        root = TestPki.root(NOW, Duration.ofDays(365));
    }

    private static CertificateAuthority ca() {
        return TestPki.ca(root, CertificateAuthority.DEFAULT_SVID_TTL, TestPki.clock(NOW));
    }

    @Test
    void anSvidHasExactlyTheSpiffeProfile() throws Exception {
        MemoryStore store = new MemoryStore();
        CertificateAuthority ca = TestPki.ca(root, CertificateAuthority.DEFAULT_SVID_TTL, TestPki.clock(NOW), store);
        WorkloadKey key = WorkloadKey.generate();
        IssuedSvid svid = ca.issue(key.csrPem(ORDERS).getBytes(StandardCharsets.US_ASCII), ORDERS).get(10, TimeUnit.SECONDS);
        X509Certificate c = TestPki.jdk(svid.leaf());

        assertThat(c.getVersion()).isEqualTo(3);
        assertThat(c.getPublicKey()).isEqualTo(key.publicKey());
        assertThat(c.getSubjectX500Principal().getName()).isEmpty();
        assertThat(c.getIssuerX500Principal()).isEqualTo(root.certificate().getSubjectX500Principal());
        c.verify(root.certificate().getPublicKey());
        // exactly one SAN, a URI, the SPIFFE ID; critical because the subject is empty
        assertThat(c.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://cluster.local/ns/shop/sa/orders"));
        // cA=false
        assertThat(c.getBasicConstraints()).isEqualTo(-1);
        // key usage: digitalSignature only, critical
        boolean[] ku = c.getKeyUsage();
        assertThat(ku[0]).isTrue();
        for (int i = 1; i < ku.length; i++) assertThat(ku[i]).as("key usage bit %d", i).isFalse();
        assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(c.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(
                Extension.basicConstraints.getId(), Extension.keyUsage.getId(), Extension.subjectAlternativeName.getId());
        assertThat(c.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder(Extension.extendedKeyUsage.getId(),
                Extension.subjectKeyIdentifier.getId(), Extension.authorityKeyIdentifier.getId());
        // random 128-bit serial, positive
        assertThat(c.getSerialNumber().signum()).isPositive();
        assertThat(c.getSerialNumber().bitLength()).isBetween(100, 128);
        assertThat(c.getSerialNumber()).isEqualTo(svid.serial());
        // backdated by the documented skew; lives the TTL
        assertThat(c.getNotBefore().toInstant()).isEqualTo(NOW.minus(CertificateAuthority.NOT_BEFORE_SKEW));
        assertThat(c.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(24)));
        assertThat(c.getSigAlgName()).isEqualTo("SHA256withECDSA");
        // the chain of a root-signed SVID is the leaf alone; it verifies against the bundle
        assertThat(svid.chain()).hasSize(1);
        assertThat(new SvidVerifier(TestPki.clock(NOW)).verify(svid.chain(), ca.bundle())).isEqualTo(ORDERS);
        // the serial is recorded in the store
        assertThat(store.get("serials/" + svid.serial().toString(16)).join()).isPresent();
        assertThat(ca.status().issuedNotAfter()).containsEntry(ORDERS.uri(), svid.notAfter());
    }

    @Test
    void twoSvidsHaveDifferentSerials() throws Exception {
        CertificateAuthority ca = ca();
        WorkloadKey key = WorkloadKey.generate();
        IssuedSvid a = ca.sign(key.csrDer(ORDERS), ORDERS);
        IssuedSvid b = ca.sign(key.csrDer(ORDERS), ORDERS);
        assertThat(a.serial()).isNotEqualTo(b.serial());
    }

    @Test
    void opensslReadsTheSvidAsAnSpiffeLeaf(@TempDir Path dir) throws Exception {
        assumeThat(onPath("openssl")).as("openssl on PATH").isTrue();
        IssuedSvid svid = ca().sign(WorkloadKey.generate().csrDer(ORDERS), ORDERS);
        Path pem = dir.resolve("svid.pem");
        Files.writeString(pem, svid.chainPem());
        Process p = new ProcessBuilder("openssl", "x509", "-in", pem.toString(), "-noout", "-text").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("X509v3 Basic Constraints: critical", "CA:FALSE",
                "X509v3 Key Usage: critical", "Digital Signature",
                "TLS Web Server Authentication, TLS Web Client Authentication",
                "X509v3 Subject Alternative Name: critical", "URI:spiffe://cluster.local/ns/shop/sa/orders");
        assertThat(text).doesNotContain("Key Encipherment", "DNS:");
    }

    @Test
    void anSvidIsCutToTheCaCertificatesExpiry() throws Exception {
        CaMaterial shortRoot = TestPki.root(NOW, Duration.ofHours(13)); // valid until NOW + 12h
        IssuedSvid svid = TestPki.ca(shortRoot, Duration.ofHours(24), TestPki.clock(NOW)).sign(WorkloadKey.generate().csrDer(ORDERS), ORDERS);
        assertThat(svid.notAfter()).isEqualTo(shortRoot.certificate().getNotAfter().toInstant()).isBefore(NOW.plus(Duration.ofHours(24)));
    }

    @Test
    void theLifetimeIsConfigurableDownToTheDocumentedMinimum() throws Exception {
        IssuedSvid svid = TestPki.ca(root, Duration.ofMinutes(5), TestPki.clock(NOW)).sign(WorkloadKey.generate().csrDer(ORDERS), ORDERS);
        assertThat(svid.notAfter()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
        assertThat(CertificateAuthority.checkTtl(CertificateAuthority.MIN_SVID_TTL)).isNull();
        assertThat(CertificateAuthority.checkTtl(Duration.ofSeconds(10))).as("10 s: rotation in tests and demos").isNull();
        assertThatThrownBy(() -> TestPki.ca(root, Duration.ofSeconds(9), TestPki.clock(NOW)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("must be between 10s and 30d (was 9s)");
        assertThatThrownBy(() -> TestPki.ca(root, Duration.ofDays(31), TestPki.clock(NOW))).hasMessageContaining("(was 31d)");
    }

    @Test
    void aMalformedCsrIsRefusedWithAClearError() {
        CertificateAuthority ca = ca();
        assertThatThrownBy(() -> ca.sign(new byte[0], ORDERS)).isInstanceOf(CsrRejectedException.class).hasMessage("malformed CSR: empty");
        assertThatThrownBy(() -> ca.sign("hello".getBytes(StandardCharsets.US_ASCII), ORDERS))
                .hasMessage("malformed CSR: not a PKCS#10 certification request");
        assertThatThrownBy(() -> ca.sign("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n".getBytes(StandardCharsets.US_ASCII), ORDERS))
                .hasMessage("malformed CSR: not a PKCS#10 certification request");
        assertThatThrownBy(() -> ca.sign("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII), ORDERS))
                .hasMessage("malformed CSR: no CERTIFICATE REQUEST PEM block");
        byte[] truncated = WorkloadKey.generate().csrDer(ORDERS);
        assertThatThrownBy(() -> ca.sign(java.util.Arrays.copyOf(truncated, truncated.length / 2), ORDERS))
                .hasMessageStartingWith("malformed CSR");
        // through the async API too: the future fails with the same reason, no stack trace to the caller
        assertThatThrownBy(() -> ca.issue(new byte[] {1, 2, 3}, ORDERS).join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(CsrRejectedException.class);
    }

    @Test
    void aCsrWithABadSignatureIsRefused() throws Exception {
        byte[] der = WorkloadKey.generate().csrDer(ORDERS);
        // the signature BIT STRING is the CSR's last element: flip a bit inside it
        der[der.length - 5] ^= 0x01;
        assertThatThrownBy(() -> ca().sign(der, ORDERS)).isInstanceOf(CsrRejectedException.class)
                .hasMessageContaining("signature");
    }

    @Test
    void aCsrForAnotherIdentityIsRefused() {
        SpiffeId other = new SpiffeId(TD, "shop", "payments");
        byte[] csr = WorkloadKey.generate().csrDer(other);
        assertThatThrownBy(() -> ca().sign(csr, ORDERS)).isInstanceOf(CsrRejectedException.class)
                .hasMessage("the CSR asks for spiffe://cluster.local/ns/shop/sa/payments but the requester is spiffe://cluster.local/ns/shop/sa/orders");
        SpiffeId otherDomain = new SpiffeId("evil.example", "shop", "orders");
        assertThatThrownBy(() -> ca().sign(WorkloadKey.generate().csrDer(otherDomain), ORDERS)).isInstanceOf(CsrRejectedException.class);
        assertThatThrownBy(() -> ca().sign(WorkloadKey.generate().csrDer(otherDomain), otherDomain))
                .hasMessageContaining("not of this CA's trust domain cluster.local");
    }

    @Test
    void aCsrAskingForADnsNameIsRefusedAndOneAskingForNothingGetsOnlyItsIdentity() throws Exception {
        KeyPair kp = TestPki.ec();
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.uniformResourceIdentifier, ORDERS.uri()), new GeneralName(GeneralName.dNSName, "bank.example")}));
        byte[] dns = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=orders"), kp.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        assertThatThrownBy(() -> ca().sign(dns, ORDERS)).hasMessageContaining("a name other than a SPIFFE ID");

        byte[] bare = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=admin, O=Root Corp"), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        X509Certificate c = TestPki.jdk(ca().sign(bare, ORDERS).leaf());
        assertThat(c.getSubjectX500Principal().getName()).as("the CSR's subject is never copied").isEmpty();
        assertThat(c.getSubjectAlternativeNames()).containsExactly(List.of(6, ORDERS.uri()));
    }

    @Test
    void weakOrUnsupportedKeysAreRefused() throws Exception {
        assertThatThrownBy(() -> ca().sign(csr(TestPki.rsa(1024), "SHA256withRSA", null), ORDERS))
                .hasMessage("the CSR's RSA key has 1024 bits; at least 2048 are required");
        KeyPairGenerator k1 = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        k1.initialize(new ECGenParameterSpec("secp256k1"));
        assertThatThrownBy(() -> ca().sign(csr(k1.generateKeyPair(), "SHA256withECDSA", new BouncyCastleProvider()), ORDERS))
                .hasMessage("the CSR's EC key is not on a supported curve; use P-256 or P-384");
        assertThatThrownBy(() -> ca().sign(csr(KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), "Ed25519", null), ORDERS))
                .hasMessageContaining("is not supported");
        assertThatThrownBy(() -> ca().sign(csr(TestPki.rsa(2048), "SHA1withRSA", null), ORDERS))
                .hasMessageContaining("use SHA-256 or stronger");
        // RSA 2048 and P-384 are fine
        assertThat(ca().sign(csr(TestPki.rsa(2048), "SHA256withRSA", null), ORDERS).leaf().getKeyUsage()[2])
                .as("no keyEncipherment, even for RSA").isFalse();
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        assertThat(ca().sign(csr(p384.generateKeyPair(), "SHA384withECDSA", null), ORDERS).id()).isEqualTo(ORDERS);
    }

    private static byte[] csr(KeyPair kp, String alg, java.security.Provider provider) throws Exception {
        JcaContentSignerBuilder signer = new JcaContentSignerBuilder(alg);
        if (provider != null) signer.setProvider(provider);
        return new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), kp.getPublic())
                .build(signer.build(kp.getPrivate())).getEncoded();
    }

    @Test
    void theCsrMayComeAsPemOrDer() throws Exception {
        WorkloadKey key = WorkloadKey.generate();
        assertThat(ca().sign(key.csrPem(ORDERS).getBytes(StandardCharsets.US_ASCII), ORDERS).id()).isEqualTo(ORDERS);
        assertThat(ca().sign(key.csrDer(ORDERS), ORDERS).id()).isEqualTo(ORDERS);
        assertThat(Base64.getEncoder().encodeToString(key.csrDer(ORDERS))).isNotEmpty();
    }

    @Test
    void statusShowsEveryCaCertificateAndWarnsBeforeExpiry() throws Exception {
        CertificateAuthority fresh = ca();
        assertThat(fresh.status().certificates()).singleElement().satisfies(c -> {
            assertThat(c.role()).isEqualTo("signing-root");
            assertThat(c.notAfter()).isEqualTo(root.certificate().getNotAfter().toInstant());
        });
        assertThat(fresh.expiryWarnings()).isEmpty();
        CertificateAuthority late = TestPki.ca(root, Duration.ofHours(1), TestPki.clock(root.certificate().getNotAfter().toInstant().minus(Duration.ofDays(29))));
        assertThat(late.expiryWarnings()).singleElement().asString().contains("signing-root", "in 29 days", "rotate it");
    }

    private static boolean onPath(String cmd) {
        try {
            return new ProcessBuilder(cmd, "version").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
