package io.strait.filters.headers;

import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/** Registers the {@code headers} filter: request and response header changes with variables. */
public final class HeadersFactory implements FilterFactory<HeadersConfig> {
    /** The name users write: {@code - headers: {...}}. */
    public static final String NAME = "headers";

    private static final HeadersReader READER = new HeadersReader();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<HeadersConfig> configType() {
        return HeadersConfig.class;
    }

    @Override
    public FilterReader<HeadersConfig> reader() {
        return READER;
    }

    @Override
    public HttpFilter create(HeadersConfig config, FilterScope scope) {
        return new HeadersFilter(config);
    }
}
