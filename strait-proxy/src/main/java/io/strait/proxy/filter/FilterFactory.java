package io.strait.proxy.filter;

import io.strait.config.load.FilterReader;
import io.strait.config.model.FilterConfig;

/**
 * Makes one kind of filter: registered under the name users write in {@code filters:}, it turns that
 * entry's immutable settings into the filter a route (or listener) runs for every request. Called on
 * the control thread when a configuration loads, never per request (Envoy's filter factory).
 *
 * @param <C> the filter's settings record
 */
public interface FilterFactory<C extends FilterConfig> {
    /** The name users write ({@code - cors: {...}}). */
    String name();

    /** The record {@link #reader()} reads (the settings of the configuration's own filters for auth and rateLimit). */
    Class<C> configType();

    /**
     * Reads the filter's settings; null for the two filters whose settings the loader itself reads
     * ({@code auth}, {@code rateLimit}: they check names against other sections).
     */
    default FilterReader<C> reader() {
        return null;
    }

    /**
     * Whether this filter answers every request itself (aggregation, GraphQL): a route with it needs no
     * {@code cluster}, and may write it as a route field of its name ({@code aggregate: {...}}), which runs
     * after the route's other filters. False (the default) for filters that pass requests on.
     */
    default boolean terminal() {
        return false;
    }

    /**
     * The filter for one route or listener. Throws {@link IllegalArgumentException} naming
     * {@code scope.path()} when these settings cannot be served (the configuration is refused).
     */
    HttpFilter create(C config, FilterScope scope);
}
