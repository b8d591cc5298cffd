package io.strait.mesh.peerauth;

import io.strait.config.model.FilterConfig;
import io.strait.mesh.identity.SpiffeId;
import java.util.List;

/**
 * {@code - peerauth: {trustDomain: cluster.local}}: the trust domain whose SVIDs the inbound listener accepts.
 * The TLS handshake has checked the chain against the trust bundle and its validity; this filter adds the SVID
 * rules TLS does not know (exactly one URI SAN, a SPIFFE ID of the trust domain, not a CA).
 */
public record PeerAuthConfig(String trustDomain) implements FilterConfig {
    @Override
    public List<Problem> problems() {
        String bad = SpiffeId.checkTrustDomain(trustDomain);
        return bad == null ? List.of() : List.of(new Problem("trustDomain", bad));
    }
}
