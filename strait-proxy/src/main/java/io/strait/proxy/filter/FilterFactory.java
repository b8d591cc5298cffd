package io.strait.proxy.filter;

import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import java.util.List;

/**
 * Adds filters to the engine's own: how the gateway (authentication) and, later, the sidecar plug their
 * filters into the proxy. Called on the control thread, never on an event loop.
 *
 * <p>For each configuration (the first and every reload) the proxy calls {@link #prepare} and then
 * asks for the filters of each listener and route. A factory keeps what should outlive a reload (key
 * caches, store connections) and drops what the new configuration no longer names.
 */
public interface FilterFactory extends AutoCloseable {
    /** The bare engine: no filters of its own, and no route may ask for authentication or rate limits. */
    FilterFactory NONE = new FilterFactory() {
        @Override
        public void prepare(StraitConfig config) {
            for (int i = 0; i < config.routes().size(); i++) {
                if (config.routes().get(i).auth().mode() != io.strait.config.model.RouteAuth.Mode.NONE) {
                    throw new IllegalArgumentException("routes[" + i + "].auth: this process has no authentication filters");
                }
                if (!config.routes().get(i).rateLimit().isEmpty()) {
                    throw new IllegalArgumentException("routes[" + i + "].rateLimit: this process has no rate-limit filters");
                }
            }
        }
    };

    /**
     * Called once, before the first {@link #prepare}: the proxy's event loops, where a factory may run its
     * own network clients (a Redis connection on the requests' own loop answers without a thread hop).
     * They stop after {@link #close}.
     */
    default void eventLoops(io.netty.channel.EventLoopGroup loops) {}

    /** Called once, before the first {@link #prepare}: where the factory's filters register their metrics. */
    default void registerMetrics(io.prometheus.metrics.model.registry.PrometheusRegistry registry) {}

    /**
     * Readies shared state for {@code config}. Throws {@link IllegalArgumentException} with a message
     * naming the config path when the configuration cannot be served (the proxy keeps the old one).
     */
    void prepare(StraitConfig config);

    /** Filters every request on the listener runs after the engine's own (request id, X-Forwarded-*). */
    default List<HttpFilter> listenerFilters(ListenerConfig listener) {
        return List.of();
    }

    /** The route's filters, in the order they run. */
    default List<HttpFilter> routeFilters(RouteConfig route) {
        return List.of();
    }

    /** The previous configuration is gone: release what only it used. */
    default void committed(StraitConfig config) {}

    @Override
    default void close() {}
}
