package io.strait.mesh.peerauth;

import io.strait.config.load.FilterReadContext;
import io.strait.config.load.FilterReader;
import io.strait.config.load.Node;
import io.strait.mesh.identity.SpiffeId;

/** Reads {@code - peerauth: {trustDomain: cluster.local}}. */
final class PeerAuthReader implements FilterReader<PeerAuthConfig> {
    /** Istio's default trust domain, as the control plane's. */
    static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

    @Override
    public String name() {
        return PeerAuthFactory.NAME;
    }

    @Override
    public PeerAuthConfig read(Node entry, String field, FilterReadContext context) {
        if (!entry.has(field)) {
            entry.skip(field);
            return new PeerAuthConfig(DEFAULT_TRUST_DOMAIN);
        }
        Node n = entry.object(field);
        if (n == null) return null;
        String td = n.string("trustDomain", DEFAULT_TRUST_DOMAIN);
        n.finish();
        String bad = SpiffeId.checkTrustDomain(td);
        if (bad != null) {
            n.error("trustDomain", bad);
            return null;
        }
        return new PeerAuthConfig(td);
    }
}
