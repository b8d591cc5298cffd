package io.strait.mesh.testing;

import io.strait.mesh.ca.CaDirectory;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.store.ControlPlaneStore;
import io.strait.mesh.store.MemoryStore;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Real keys and certificates for the mesh tests, made with BouncyCastle; nothing mocked. */
public final class TestPki {
    public static final String TD = "cluster.local";
    public static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    public static final ExecutorService SIGNER = Executors.newFixedThreadPool(2);

    private TestPki() {}

    public static Clock clock(Instant at) {
        return Clock.fixed(at, ZoneOffset.UTC);
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A root CA of the trust domain valid from an hour before {@code now} for {@code life}. */
    public static CaMaterial root(Instant now, Duration life) throws Exception {
        KeyPair kp = ec();
        X509Certificate root = CaDirectory.selfSignedRoot(kp, TD, now.minus(Duration.ofHours(1)), life);
        return new CaMaterial(root, kp.getPrivate(), List.of(), root);
    }

    public static CertificateAuthority ca(CaMaterial m, Duration ttl, Clock clock) {
        return ca(m, ttl, clock, new MemoryStore());
    }

    public static CertificateAuthority ca(CaMaterial m, Duration ttl, Clock clock, ControlPlaneStore store) {
        return new CertificateAuthority(m, TrustBundle.of(TD, m.root()), ttl, store, clock, new SecureRandom(), SIGNER);
    }

    /** A CA certificate for {@code subject} signed by {@code issuerKey} (an intermediate). */
    public static X509Certificate intermediate(String subject, PublicKey key, X509Certificate issuer, PrivateKey issuerKey, Instant now) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(365))), new X500Name(subject), key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    /** A leaf made by hand (not by the CA), with the given URI SANs: for what the CA would never issue. */
    public static X509Certificate handMadeLeaf(CaMaterial ca, PublicKey key, Instant from, Instant to, String... uris) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), BigInteger.valueOf(System.nanoTime()),
                Date.from(from), Date.from(to), new X500Name("CN=hand-made"), key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        GeneralName[] names = new GeneralName[uris.length];
        for (int i = 0; i < uris.length; i++) names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris[i]);
        if (uris.length > 0) b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
    }

    /** Re-parses a certificate with the JDK's own CertificateFactory, as a peer would. */
    public static X509Certificate jdk(X509Certificate c) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(c.getEncoded()));
    }

    public static SecureRandom random() {
        return new SecureRandom();
    }
}
