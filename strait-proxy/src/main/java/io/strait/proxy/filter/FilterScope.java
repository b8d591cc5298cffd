package io.strait.proxy.filter;

import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RouteConfig;
import io.strait.proxy.client.ClusterClient;

/**
 * Where a filter is declared: a route or a listener, and the config path of its entry (for errors).
 *
 * @param route the route, or null for a listener's filter
 * @param listener the listener, or null for a route's filter
 * @param path the entry's config path, e.g. {@code routes[2].filters[0]}
 * @param clients how the filter calls clusters of the running configuration ({@link ClusterClient#NONE} outside a proxy)
 */
public record FilterScope(RouteConfig route, ListenerConfig listener, String path, ClusterClient clients) {
    public FilterScope {
        if (clients == null) clients = ClusterClient.NONE;
    }

    /** A scope without a cluster client (its calls fail): for filters built outside a proxy. */
    public FilterScope(RouteConfig route, ListenerConfig listener, String path) {
        this(route, listener, path, ClusterClient.NONE);
    }

    /** The route's or listener's name, as metrics and errors label it. */
    public String owner() {
        return route != null ? route.name() : "listener:" + listener.name();
    }
}
