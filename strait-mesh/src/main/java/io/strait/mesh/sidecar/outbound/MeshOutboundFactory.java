package io.strait.mesh.sidecar.outbound;

import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/** Registers the {@code meshOutbound} filter, which the sidecar puts on its outbound listeners. */
public final class MeshOutboundFactory implements FilterFactory<MeshOutboundConfig> {
    /** The name in a listener's {@code filters:}. */
    public static final String NAME = "meshOutbound";

    private static final MeshOutboundReader READER = new MeshOutboundReader();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<MeshOutboundConfig> configType() {
        return MeshOutboundConfig.class;
    }

    @Override
    public FilterReader<MeshOutboundConfig> reader() {
        return READER;
    }

    @Override
    public HttpFilter create(MeshOutboundConfig config, FilterScope scope) {
        return new MeshOutboundFilter(config);
    }
}
