package io.strait.mesh.xfcc;

import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/** Registers the {@code xfcc} filter: the caller's verified identity for the local app, in Envoy's header format. */
public final class XfccFactory implements FilterFactory<XfccConfig> {
    /** The name users write: {@code - xfcc: {by: ...}}. */
    public static final String NAME = "xfcc";

    private static final XfccReader READER = new XfccReader();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<XfccConfig> configType() {
        return XfccConfig.class;
    }

    @Override
    public FilterReader<XfccConfig> reader() {
        return READER;
    }

    @Override
    public HttpFilter create(XfccConfig config, FilterScope scope) {
        return new XfccFilter(config);
    }
}
