package io.strait.filters.transform;

import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/** Registers the {@code transform} filter: headers, query, path, method and JSON bodies, reshaped (Kong's transformers). */
public final class TransformFactory implements FilterFactory<TransformConfig> {
    /** The name users write: {@code - transform: {...}}. */
    public static final String NAME = "transform";

    private static final TransformReader READER = new TransformReader();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<TransformConfig> configType() {
        return TransformConfig.class;
    }

    @Override
    public FilterReader<TransformConfig> reader() {
        return READER;
    }

    @Override
    public HttpFilter create(TransformConfig config, FilterScope scope) {
        return new TransformFilter(config, scope.owner());
    }
}
