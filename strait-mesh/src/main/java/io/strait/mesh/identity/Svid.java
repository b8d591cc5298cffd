package io.strait.mesh.identity;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A workload's own X509-SVID: the certificate chain the CA returned (leaf first, up to but not necessarily including
 * the root) and its private key, made in this process and never sent anywhere. {@link #toString()} never shows the key.
 */
public record Svid(List<X509Certificate> chain, PrivateKey privateKey) {
    public Svid {
        Objects.requireNonNull(chain, "chain");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) throw new IllegalArgumentException("an SVID needs its certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** The SPIFFE ID in the leaf's one URI SAN. */
    public SpiffeId id() {
        try {
            return SvidVerifier.identity(chain.get(0));
        } catch (SvidException e) {
            throw new IllegalArgumentException("the SVID names no single SPIFFE ID: " + e.getMessage(), e);
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    @Override
    public String toString() {
        return "Svid[" + chain.get(0).getSubjectX500Principal().getName() + ", notAfter=" + chain.get(0).getNotAfter().toInstant()
                + ", privateKey=***]";
    }
}
