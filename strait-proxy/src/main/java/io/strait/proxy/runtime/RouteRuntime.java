package io.strait.proxy.runtime;

import io.strait.config.model.RouteConfig;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.observe.RouteMetrics;
import java.util.List;

/**
 * Everything a request on one route needs, resolved once when the configuration loads: the
 * route's filter chain, its cluster, its limits and its metric handles.
 *
 * @param maxRequestBodySize bytes, 0 for no limit (the route's setting or its listener's)
 * @param timeoutNanos time to the upstream's response headers, 0 for none
 */
public record RouteRuntime(
        RouteConfig config,
        List<HttpFilter> filters,
        Cluster cluster,
        long timeoutNanos,
        Long maxRequestBodySize,
        RouteMetrics metrics) {

    public String name() {
        return config.name();
    }
}
