package io.strait.proxy.filter;

import io.strait.config.load.FilterCatalog;
import io.strait.config.load.FilterReader;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.StraitConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What a role (gateway, sidecar) adds to the engine: the filter factories it registers, its implicit
 * listener filters, and the shared state those filters keep across reloads (key caches, store
 * connections). Called on the control thread, never on an event loop.
 *
 * <p>For each configuration (the first and every reload) the proxy calls {@link #prepare}, then builds
 * every route's and listener's chain from {@link #factories()}, then {@link #committed}.
 */
public interface FilterModule extends AutoCloseable {
    /** The bare engine: no filters but its own (request id, X-Forwarded-*). */
    FilterModule NONE = List::of;

    /** The filters this module registers, each under its name. */
    List<FilterFactory<?>> factories();

    /** The config readers of {@link #factories()}: what the process can load. */
    default FilterCatalog catalog() {
        return catalogOf(factories());
    }

    /** The catalog of {@code factories}' readers (the loader reads auth and rateLimit itself). */
    static FilterCatalog catalogOf(List<FilterFactory<?>> factories) {
        List<FilterReader<?>> readers = new ArrayList<>();
        java.util.Set<String> terminal = new java.util.HashSet<>();
        for (FilterFactory<?> f : factories) {
            if (f.reader() != null) readers.add(f.reader());
            if (f.terminal()) terminal.add(f.name());
        }
        return FilterCatalog.of(readers, terminal);
    }

    /**
     * Called once, before the first {@link #prepare}: the proxy's event loops, where a module may run its
     * own network clients (a Redis connection on the requests' own loop answers without a thread hop).
     * They stop after {@link #close}.
     */
    default void eventLoops(io.netty.channel.EventLoopGroup loops) {}

    /** Called once, before the first {@link #prepare}: where the module's filters register their metrics. */
    default void registerMetrics(io.prometheus.metrics.model.registry.PrometheusRegistry registry) {}

    /**
     * Readies shared state for {@code config}. Throws {@link IllegalArgumentException} with a message
     * naming the config path when the configuration cannot be served (the proxy keeps the old one).
     */
    default void prepare(StraitConfig config) {}

    /**
     * Filters the role runs on every request of the listener, after the engine's own (request id,
     * X-Forwarded-*) and before the listener's declared ones: e.g. the gateway strips identity headers
     * that only it may set.
     */
    default List<HttpFilter> listenerFilters(ListenerConfig listener) {
        return List.of();
    }

    /** The previous configuration is gone: release what only it used. */
    default void committed(StraitConfig config) {}

    @Override
    default void close() {}
}
