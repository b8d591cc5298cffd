package io.strait.proxy.core;

import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.client.ClusterClient;
import io.strait.proxy.cluster.ClusterManager;
import io.strait.proxy.filter.BodyAccess;
import io.strait.proxy.filter.FilterChain;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.ForwardedHeadersFilter;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestIdFilter;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.traffic.TrafficSplit;
import io.strait.proxy.route.Route;
import io.strait.proxy.route.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One generation of configuration, compiled: router, clusters, per-route runtimes and per-listener
 * filters. A request reads the current snapshot once when it starts and keeps it to the end, so
 * a reload never changes the rules under a request in flight.
 */
public final class Snapshot {
    /** For a listener a reload removed (still bound until restart): request ids, and no X-Forwarded-For hop trusted. */
    private static final FilterChain REMOVED_LISTENER_FILTERS =
            new FilterChain("listener:removed", List.of(new FilterChain.Link("requestId", new RequestIdFilter(), BodyAccess.NONE),
                    new FilterChain.Link("forwardedHeaders", new ForwardedHeadersFilter(0), BodyAccess.NONE)));

    private final StraitConfig config;
    private final long generation;
    /** Serves every route: listeners that name none, and listeners a reload removed. */
    private final Router router;
    /** The routers of listeners that name their routes (listeners[].routes), built once per generation. */
    private final Map<String, Router> listenerRouters = new HashMap<>();
    private final ClusterManager clusters;
    private final Map<RouteConfig, RouteRuntime> routes = new IdentityHashMap<>();
    private final Map<String, FilterChain> listenerFilters = new HashMap<>();
    private final Map<String, ListenerConfig> listeners = new HashMap<>();
    private final Map<String, ListenerRuntime> listenerRuntimes = new HashMap<>();

    /**
     * @throws IllegalArgumentException naming the config path when a filter cannot be built (a name no
     *     factory of {@code module} has, settings its factory refuses)
     */
    public Snapshot(StraitConfig config, long generation, ClusterManager clusters, ProxyMetrics metrics, FilterModule module) {
        this(config, generation, clusters, metrics, module, ClusterClient.NONE);
    }

    /** As above, with the client the filters call clusters with ({@link FilterScope#clients()}). */
    public Snapshot(StraitConfig config, long generation, ClusterManager clusters, ProxyMetrics metrics, FilterModule module,
            ClusterClient client) {
        this.config = config;
        this.generation = generation;
        this.clusters = clusters;
        this.router = Router.build(config.routes());
        Map<String, FilterFactory<?>> factories = new HashMap<>();
        for (FilterFactory<?> f : module.factories()) factories.put(f.name(), f);
        for (RouteConfig rc : config.routes()) {
            Cluster cluster = clusters.get(rc.cluster());
            long timeout = rc.timeout() == null ? 0 : rc.timeout().toNanos();
            FilterChain chain = FilterChain.build(rc.name(), List.of(), rc.filters(), factories,
                    spec -> new FilterScope(rc, null, spec.path(), client));
            routes.put(rc, new RouteRuntime(rc, chain, cluster, timeout, rc.maxRequestBodySize(),
                    metrics.forRoute(rc.name(), rc.cluster()), cluster == null ? null : TrafficSplit.of(rc.traffic(), cluster),
                    rc.traffic().mirror() == null ? null : clusters.get(rc.traffic().mirror().cluster())));
        }
        for (ListenerConfig l : config.listeners()) {
            listeners.put(l.name(), l);
            List<HttpFilter> first = new ArrayList<>(List.of(new RequestIdFilter(), new ForwardedHeadersFilter(l.xffTrustedHops())));
            first.addAll(module.listenerFilters(l));
            listenerFilters.put(l.name(), FilterChain.build("listener:" + l.name(), first, l.filters(), factories,
                    spec -> new FilterScope(null, l, spec.path(), client)));
            if (l.namesRoutes()) listenerRouters.put(l.name(), Router.build(routesOf(l)));
            listenerRuntimes.put(l.name(), new ListenerRuntime(l, listenerFilters.get(l.name()), router(l), false));
        }
    }

    /** The listener's routes in the order of the routes section (the order matching follows). */
    private List<RouteConfig> routesOf(ListenerConfig l) {
        java.util.Set<String> wanted = java.util.Set.copyOf(l.routes());
        return config.routes().stream().filter(r -> wanted.contains(r.name())).toList();
    }

    /** This generation's number: 1 for the configuration the process started with, then one more per applied one. */
    public long generation() {
        return generation;
    }

    public StraitConfig config() {
        return config;
    }

    /** The router of every route. */
    public Router router() {
        return router;
    }

    /**
     * The router of a listener's requests: its own routes when it names them, else every route. A listener a
     * reload removed (its open connections serve one more request each) keeps to the routes it was bound with.
     */
    public Router router(ListenerConfig bound) {
        Router r = listenerRouters.get(bound.name());
        if (r != null) return r;
        if (listeners.containsKey(bound.name()) || !bound.namesRoutes()) return router;
        return Router.build(routesOf(bound)); // rare: the last request of a removed listener's connection
    }

    public ClusterManager clusters() {
        return clusters;
    }

    public RouteRuntime route(Route route) {
        return routes.get(route.config());
    }

    /**
     * The listener's part of this generation, for a connection {@code bound} to it. A listener a reload
     * removed keeps its old settings and routes, with the default filters ({@link #listenerFilters}).
     */
    public ListenerRuntime listener(ListenerConfig bound) {
        ListenerRuntime r = listenerRuntimes.get(bound.name());
        return r != null ? r : new ListenerRuntime(bound, REMOVED_LISTENER_FILTERS, router(bound), true);
    }

    /** The listener's settings in this generation, or null when a reload removed it. */
    public ListenerConfig listener(String name) {
        return listeners.get(name);
    }

    /**
     * The filters every request on the listener runs first. A listener a reload removed is still
     * bound until restart, and its open connections still serve a request: they get the
     * defaults (request id, X-Forwarded-* trusting no hop).
     */
    public FilterChain listenerFilters(String name) {
        FilterChain filters = listenerFilters.get(name);
        return filters != null ? filters : REMOVED_LISTENER_FILTERS;
    }
}
