package io.strait.mesh.peerauth;

import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidException;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.proxy.tls.PeerCertificateCheck;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;

/**
 * The X509-SVID rules a TLS handshake does not know, for a certificate whose chain and dates TLS has already
 * verified against the trust bundle: the leaf is not a CA, it has exactly one URI SAN, and that URI is a SPIFFE
 * ID of the mesh's trust domain. Used in the handshake ({@link #check}) and by the {@code peerauth} filter.
 */
public final class SvidRules {
    private SvidRules() {}

    /** What makes {@code leaf} not an SVID of {@code trustDomain}, or null when it is one. */
    public static String problem(X509Certificate leaf, String trustDomain) {
        if (leaf.getBasicConstraints() >= 0) return "it is a CA certificate";
        try {
            SpiffeId id = SvidVerifier.identity(leaf);
            return id.trustDomain().equals(trustDomain) ? null : id + " is of trust domain " + id.trustDomain();
        } catch (SvidException e) {
            return e.getMessage();
        }
    }

    /** A handshake check of peers' certificates against the rules, for the trust domain of the moment. */
    public static PeerCertificateCheck check(Supplier<String> trustDomain) {
        return chain -> {
            String td = trustDomain.get();
            String problem = chain.length == 0 ? "no certificate" : problem(chain[0], td);
            if (problem != null) throw new CertificateException("not an SVID of trust domain " + td + ": " + problem);
        };
    }
}
