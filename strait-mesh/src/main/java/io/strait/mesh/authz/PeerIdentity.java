package io.strait.mesh.authz;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/** The caller's SPIFFE ID from its verified client certificate: its one URI subjectAltName. */
final class PeerIdentity {
    /** RFC 5280's GeneralName tag for uniformResourceIdentifier. */
    private static final int URI_SAN = 6;

    private PeerIdentity() {}

    /**
     * The peer of {@code cert}: {@link Peer#PLAINTEXT} when there is no certificate; a certificate without exactly one
     * URI SAN has no principal either (an SVID has exactly one), so no principal rule can match it.
     */
    static Peer of(X509Certificate cert) {
        if (cert == null) return Peer.PLAINTEXT;
        String uri = null;
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans == null) return Peer.PLAINTEXT;
            for (List<?> san : sans) {
                if (san.size() >= 2 && san.get(0) instanceof Integer type && type == URI_SAN) {
                    if (uri != null) return Peer.PLAINTEXT;
                    uri = String.valueOf(san.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            return Peer.PLAINTEXT;
        }
        return uri == null ? Peer.PLAINTEXT : Peer.of(uri);
    }
}
