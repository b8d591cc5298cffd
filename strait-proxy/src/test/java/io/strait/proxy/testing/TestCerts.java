package io.strait.proxy.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates, generated with BouncyCastle and written as PEM to a directory: a CA, server
 * certificates with subjectAltName DNS names, and client certificates. Keys are EC P-256 (fast to
 * make) unless RSA is asked for; key files are PKCS#8 unless {@link KeyFormat#TRADITIONAL} (PKCS#1 / SEC1).
 */
public final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    public enum KeyType { EC, RSA }

    public enum KeyFormat { PKCS8, TRADITIONAL }

    /** A certificate written as {@code <name>.pem} (leaf, then the CA) and its key as {@code <name>.key}. */
    public record Issued(Path certFile, Path keyFile, X509Certificate certificate, KeyPair keys, X509Certificate issuer) {
        /** An SSLContext presenting this certificate (a client's) and trusting {@code trusted}. */
        public SSLContext sslContext(Ca trusted) {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("me", keys.getPrivate(), new char[0], new X509Certificate[] {certificate, issuer});
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), trusted.trustManagers(), null);
                return ctx;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A certificate authority whose certificate is {@code <name>.pem}. */
    public final class Ca {
        private final KeyPair keys;
        private final X509Certificate cert;
        public final Path certFile;

        private Ca(String name, String cn) {
            this.keys = keyPair(KeyType.EC);
            try {
                X500Principal subject = new X500Principal("CN=" + cn);
                X509v3CertificateBuilder b = builder(subject, subject, keys);
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
                this.cert = sign(b, keys);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            this.certFile = write(name + ".pem", pem(cert));
        }

        public X509Certificate certificate() {
            return cert;
        }

        /** A server certificate for {@code dnsNames} (subject CN = the first). */
        public Issued server(String name, String... dnsNames) {
            return issue(name, "CN=" + dnsNames[0], KeyType.EC, KeyFormat.PKCS8, false, null, dnsNames);
        }

        /** A server certificate with a URI subjectAltName (a SPIFFE id, say) besides {@code dnsNames}. */
        public Issued serverWithUri(String name, String uri, String... dnsNames) {
            return issue(name, "CN=" + (dnsNames.length > 0 ? dnsNames[0] : name), KeyType.EC, KeyFormat.PKCS8, false, uri, dnsNames);
        }

        /** A netty server context presenting {@code cert}; with {@code clientCas}, it requires client certificates from them. */
        public static io.netty.handler.ssl.SslContext serverContext(Issued cert, Ca... clientCas) {
            try {
                var b = io.netty.handler.ssl.SslContextBuilder.forServer(cert.keys().getPrivate(), cert.certificate(), cert.issuer())
                        .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                                io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                                io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                                "h2", "http/1.1"));
                if (clientCas.length > 0) {
                    b.trustManager(java.util.Arrays.stream(clientCas).map(Ca::certificate).toArray(X509Certificate[]::new))
                            .clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE);
                }
                return b.build();
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalStateException(e);
            }
        }

        public Issued server(String name, KeyType type, KeyFormat format, String... dnsNames) {
            return issue(name, "CN=" + dnsNames[0], type, format, false, null, dnsNames);
        }

        /** A client certificate with {@code subject} (an X.500 name), an optional URI SAN and DNS SANs. */
        public Issued client(String name, String subject, String uri, String... dnsNames) {
            return issue(name, subject, KeyType.EC, KeyFormat.PKCS8, true, uri, dnsNames);
        }

        private Issued issue(String name, String subject, KeyType type, KeyFormat format, boolean client, String uri,
                String... dnsNames) {
            KeyPair kp = keyPair(type);
            try {
                X509v3CertificateBuilder b = builder(cert.getSubjectX500Principal(), new X500Principal(subject), kp);
                List<GeneralName> names = new ArrayList<>();
                if (uri != null) names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
                for (String d : dnsNames) names.add(new GeneralName(GeneralName.dNSName, d));
                if (!names.isEmpty()) {
                    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
                }
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(client ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
                X509Certificate leaf = sign(b, keys);
                Path certFile = write(name + ".pem", pem(leaf) + pem(cert));
                Path keyFile = write(name + ".key", keyPem(kp, format));
                return new Issued(certFile, keyFile, leaf, kp, cert);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Trust managers trusting only this CA. */
        public javax.net.ssl.TrustManager[] trustManagers() {
            try {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                ts.setCertificateEntry("ca", cert);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
                return tmf.getTrustManagers();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** An SSLContext (for the JDK's HttpClient) trusting only this CA. */
        public SSLContext clientContext() {
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, trustManagers(), null);
                return ctx;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Path dir;

    public TestCerts(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Ca ca(String name) {
        return new Ca(name, "Strait Test CA " + name);
    }

    /** Writes {@code text} to {@code name} in the directory (atomically: written aside, then moved over). */
    public Path write(String name, String text) {
        try {
            Path target = dir.resolve(name);
            Path tmp = dir.resolve(name + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Principal issuer, X500Principal subject, KeyPair kp) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, kp.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        String alg = signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        ContentSigner s = new JcaContentSignerBuilder(alg).build(signer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(s));
    }

    static KeyPair keyPair(KeyType type) {
        try {
            if (type == KeyType.RSA) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048, new SecureRandom());
                return g.generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    private static String keyPem(KeyPair kp, KeyFormat format) throws Exception {
        // JcaPEMWriter writes a bare private key in the traditional form: PKCS#1 for RSA, SEC1 for EC.
        if (format == KeyFormat.PKCS8) return pem(new JcaPKCS8Generator(kp.getPrivate(), null));
        if (kp.getPrivate().getAlgorithm().equals("EC")) {
            // The JDK's EC encoding leaves the curve out of the inner key; BouncyCastle's keeps it, as OpenSSL does.
            java.security.PrivateKey bc = java.security.KeyFactory.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(kp.getPrivate().getEncoded()));
            return pem(bc);
        }
        return pem(kp);
    }
}
