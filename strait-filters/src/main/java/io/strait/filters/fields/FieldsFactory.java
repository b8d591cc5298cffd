package io.strait.filters.fields;

import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/** Registers the {@code fields} filter: field selection (client {@code ?fields=}, static allow/deny) on JSON responses. */
public final class FieldsFactory implements FilterFactory<FieldsConfig> {
    /** The name users write: {@code - fields: {...}}. */
    public static final String NAME = "fields";

    private static final FieldsReader READER = new FieldsReader();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<FieldsConfig> configType() {
        return FieldsConfig.class;
    }

    @Override
    public FilterReader<FieldsConfig> reader() {
        return READER;
    }

    @Override
    public HttpFilter create(FieldsConfig config, FilterScope scope) {
        return new FieldsFilter(config);
    }
}
