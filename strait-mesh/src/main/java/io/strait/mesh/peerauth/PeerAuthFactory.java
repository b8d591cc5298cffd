package io.strait.mesh.peerauth;

import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/** Registers the {@code peerauth} filter: the SVID rules for the inbound listener's client certificates. */
public final class PeerAuthFactory implements FilterFactory<PeerAuthConfig> {
    /** The name users write: {@code - peerauth: {trustDomain: ...}}. */
    public static final String NAME = "peerauth";

    private static final PeerAuthReader READER = new PeerAuthReader();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<PeerAuthConfig> configType() {
        return PeerAuthConfig.class;
    }

    @Override
    public FilterReader<PeerAuthConfig> reader() {
        return READER;
    }

    @Override
    public HttpFilter create(PeerAuthConfig config, FilterScope scope) {
        return new PeerAuthFilter(config);
    }
}
