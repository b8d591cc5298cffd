package io.strait.filters;

import io.strait.filters.aggregate.AggregateFactory;
import io.strait.filters.cors.CorsFactory;
import io.strait.filters.fields.FieldsFactory;
import io.strait.filters.headers.HeadersFactory;
import io.strait.filters.transform.TransformFactory;
import io.strait.proxy.filter.FilterFactory;
import java.util.List;

/**
 * The filters any role may declare, each in its own package with its config record, reader, logic and
 * tests. A role's {@link io.strait.proxy.filter.FilterModule} registers them with its own.
 */
public final class StandardFilters {
    private StandardFilters() {}

    /** A fresh list of the standard filters' factories. */
    public static List<FilterFactory<?>> factories() {
        return List.of(new CorsFactory(), new HeadersFactory(), new TransformFactory(), new FieldsFactory(), new AggregateFactory());
    }
}
