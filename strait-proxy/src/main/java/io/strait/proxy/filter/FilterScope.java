package io.strait.proxy.filter;

import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RouteConfig;

/**
 * Where a filter is declared: a route or a listener, and the config path of its entry (for errors).
 *
 * @param route the route, or null for a listener's filter
 * @param listener the listener, or null for a route's filter
 * @param path the entry's config path, e.g. {@code routes[2].filters[0]}
 */
public record FilterScope(RouteConfig route, ListenerConfig listener, String path) {
    /** The route's or listener's name, as metrics and errors label it. */
    public String owner() {
        return route != null ? route.name() : "listener:" + listener.name();
    }
}
