package io.strait.mesh.transport;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A workload's own X509-SVID: its private key (made in this process, never sent anywhere) and the
 * certificate chain the CA returned, leaf first.
 */
public record Svid(PrivateKey key, List<X509Certificate> chain) {
    public Svid {
        if (key == null || chain == null || chain.isEmpty()) throw new IllegalArgumentException("an SVID needs a key and a chain");
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    @Override
    public String toString() {
        return "Svid[" + leaf().getSubjectX500Principal() + ", key redacted]";
    }
}
