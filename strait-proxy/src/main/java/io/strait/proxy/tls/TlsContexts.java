package io.strait.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.strait.config.model.TlsConfig;
import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/** Builds the SslContexts of a listener's TLS settings: provider, versions, ciphers, ALPN, client auth. */
final class TlsContexts {
    /**
     * Mozilla's "intermediate" suites: TLS 1.3's three (BoringSSL always enables them), then ECDHE with
     * AEAD ciphers for TLS 1.2. Forward secrecy and authenticated encryption only; no CBC, RSA key
     * exchange or DHE.
     */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /**
     * The type of the key store Netty puts a context's key into, in memory only, to hand it to the key manager. The
     * JDK's default (PKCS12) encrypts the key with 10,000 PBKDF2 rounds and the key manager decrypts it again: about
     * 40 ms per context, paid for every cluster and listener at each certificate change (a sidecar's SVID rotation
     * rebuilds them all). JKS's key protection costs well under a millisecond; the store never leaves memory.
     */
    static final String IN_MEMORY_KEY_STORE = "JKS";

    private TlsContexts() {}

    /** Set by tests to run the same checks with the JDK's provider where BoringSSL loads; null: the normal choice. */
    static volatile SslProvider forcedProvider;

    /** BoringSSL (netty-tcnative) when its native library loads; the JDK's provider otherwise. */
    static SslProvider provider() {
        SslProvider forced = forcedProvider;
        if (forced != null) return forced;
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    static String providerName() {
        return provider() == SslProvider.OPENSSL ? "BoringSSL (" + OpenSsl.versionString() + ")" : "the JDK";
    }

    /** The versions offered: from {@code minVersion} up to TLS 1.3. */
    static String[] protocols(TlsConfig c) {
        return TlsConfig.TLS_1_3.equals(c.minVersion())
                ? new String[] {"TLSv1.3"}
                : new String[] {"TLSv1.3", "TLSv1.2"};
    }

    /** Every certificate's context, by SNI name; the first certificate is the default. Reads the files (tests). */
    static SniTable build(TlsConfig c, List<String> alpn) throws TlsException {
        List<CertificateMaterial> certs = new ArrayList<>();
        for (int i = 0; i < c.certificates().size(); i++) {
            TlsConfig.Certificate cert = c.certificates().get(i);
            String where = "certificates[" + i + "]";
            List<X509Certificate> chain = certificates(where + ".certFile", cert.certFile());
            PrivateKey key = key(where + ".keyFile", cert.keyFile());
            if (!Pem.matches(key, chain.get(0))) {
                throw new TlsException(where + ".keyFile '" + cert.keyFile() + "' is not the key of the certificate in '"
                        + cert.certFile() + "'");
            }
            certs.add(new CertificateMaterial(chain, key, List.of()));
        }
        List<X509Certificate> cas = c.clientAuth().mode() == TlsConfig.ClientAuth.Mode.NONE ? List.of()
                : certificates("clientAuth.caFile", c.clientAuth().caFile());
        return build(c, alpn, certs, cas);
    }

    /**
     * Every certificate's context, by SNI name, from the material of each of {@code c}'s certificates (in
     * order: the first is the default) and the CAs client certificates must lead to.
     */
    static SniTable build(TlsConfig c, List<String> alpn, List<CertificateMaterial> certs, List<X509Certificate> clientCas)
            throws TlsException {
        return build(c, alpn, certs, clientCas, null);
    }

    /** As {@link #build(TlsConfig, List, List, List)}; {@code peerCheck} (nullable) further checks client certificates. */
    static SniTable build(TlsConfig c, List<String> alpn, List<CertificateMaterial> certs, List<X509Certificate> clientCas,
            PeerCertificateCheck peerCheck) throws TlsException {
        X509Certificate[] trust = null;
        if (c.clientAuth().mode() != TlsConfig.ClientAuth.Mode.NONE) {
            if (clientCas.isEmpty()) throw new TlsException("clientAuth.caFile: no CA certificates");
            trust = clientCas.toArray(X509Certificate[]::new);
        }
        SniTable table = null;
        for (int i = 0; i < c.certificates().size(); i++) {
            String where = "certificates[" + i + "]";
            CertificateMaterial m = certs.get(i);
            if (!m.hasCertificate()) throw new TlsException(where + ": the certificate source holds no certificate");
            SslContext ctx = context(c, alpn, m.privateKey(), m.chain(), trust, peerCheck, where);
            if (table == null) table = new SniTable(ctx);
            List<String> names = c.certificates().get(i).serverNames().isEmpty() ? Pem.dnsNames(m.chain().get(0))
                    : c.certificates().get(i).serverNames();
            for (String n : names) table.add(n, ctx);
        }
        if (table == null) throw new TlsException("no certificates");
        return table;
    }

    private static SslContext context(TlsConfig c, List<String> alpn, PrivateKey key, List<X509Certificate> chain,
            X509Certificate[] trust, PeerCertificateCheck peerCheck, String where) throws TlsException {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .keyStoreType(IN_MEMORY_KEY_STORE)
                    .sslProvider(provider())
                    .protocols(protocols(c))
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            // a client offering none of ours still gets a connection: HTTP/1.1 or the h2 preface
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            alpn));
            if (trust != null) {
                if (peerCheck == null) b.trustManager(trust);
                else b.trustManager(new CheckedTrustManager(CheckedTrustManager.pkix(List.of(trust)), peerCheck));
                b.clientAuth(c.clientAuth().mode() == TlsConfig.ClientAuth.Mode.REQUIRE
                        ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsException(where + ": cannot build a TLS context: " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(String where, Path file) throws TlsException {
        try {
            return Pem.certificates(Pem.read(file));
        } catch (PemException e) {
            throw new TlsException(where + " '" + file + "': " + e.getMessage());
        }
    }

    private static PrivateKey key(String where, Path file) throws TlsException {
        byte[] bytes = null;
        try {
            bytes = Pem.read(file);
            return Pem.privateKey(bytes);
        } catch (PemException e) {
            throw new TlsException(where + " '" + file + "': " + e.getMessage());
        } finally {
            if (bytes != null) java.util.Arrays.fill(bytes, (byte) 0);
        }
    }
}
