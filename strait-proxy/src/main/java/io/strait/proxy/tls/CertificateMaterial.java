package io.strait.proxy.tls;

import io.strait.config.tls.Pem;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a {@link CertificateSource} holds at one moment: a certificate chain (leaf first) with its
 * private key, and a trust bundle (the CA certificates a peer's chain must lead to). A listener serves
 * the chain and checks client certificates against the bundle; a cluster presents the chain as its
 * client certificate (mutual TLS) and checks the server against the bundle. Each part may be absent
 * (an empty chain: no certificate; an empty bundle: the default trust, the system's for a cluster).
 * {@link #toString()} never shows the key.
 */
public record CertificateMaterial(List<X509Certificate> chain, PrivateKey privateKey, List<X509Certificate> trustBundle) {
    public static final CertificateMaterial EMPTY = new CertificateMaterial(List.of(), null, List.of());

    /**
     * @throws IllegalArgumentException when the chain and the key come one without the other, or the key
     *     is not the private half of the chain's leaf
     */
    public CertificateMaterial {
        chain = chain == null ? List.of() : List.copyOf(chain);
        trustBundle = trustBundle == null ? List.of() : List.copyOf(trustBundle);
        if (chain.isEmpty() != (privateKey == null)) {
            throw new IllegalArgumentException("a certificate chain and its private key go together: give both or neither");
        }
        if (privateKey != null && !Pem.matches(privateKey, chain.get(0))) {
            throw new IllegalArgumentException("the private key is not the key of the chain's first certificate ("
                    + chain.get(0).getSubjectX500Principal().getName() + ")");
        }
    }

    /** Whether there is a certificate to present. */
    public boolean hasCertificate() {
        return privateKey != null;
    }

    @Override
    public String toString() {
        return "CertificateMaterial[chain=" + chain.stream().map(c -> c.getSubjectX500Principal().getName()).toList()
                + ", privateKey=" + (privateKey == null ? "none" : "***") + ", trustBundle=" + trustBundle.size() + " certificate(s)]";
    }
}
