package io.strait.filters.cors;

import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/** Registers the {@code cors} filter: a route's or listener's CORS policy (Fetch standard, CORS protocol). */
public final class CorsFactory implements FilterFactory<CorsConfig> {
    /** The name users write: {@code - cors: {...}}. */
    public static final String NAME = "cors";

    private static final CorsReader READER = new CorsReader();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<CorsConfig> configType() {
        return CorsConfig.class;
    }

    @Override
    public FilterReader<CorsConfig> reader() {
        return READER;
    }

    @Override
    public HttpFilter create(CorsConfig config, FilterScope scope) {
        return new CorsFilter(config);
    }
}
