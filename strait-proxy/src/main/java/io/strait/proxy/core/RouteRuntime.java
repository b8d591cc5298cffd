package io.strait.proxy.core;

import io.strait.config.model.RouteConfig;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.filter.FilterChain;
import io.strait.proxy.observe.RouteMetrics;
import io.strait.proxy.traffic.TrafficSplit;
import java.util.List;

/**
 * Everything a request on one route needs, resolved once when the configuration loads: the
 * route's filter chain, its cluster, its limits and its metric handles.
 *
 * @param maxRequestBodySize bytes, 0 for no limit (the route's setting or its listener's)
 * @param timeoutNanos time to the upstream's response headers, 0 for none
 * @param mirror the cluster copies of a share of the requests go to (route {@code mirror}), or null
 * @param traffic how an endpoint of the cluster is chosen (whole cluster, pinned subset or split); null without a cluster
 */
public record RouteRuntime(
        RouteConfig config,
        FilterChain filters,
        Cluster cluster,
        long timeoutNanos,
        Long maxRequestBodySize,
        RouteMetrics metrics,
        TrafficSplit traffic,
        Cluster mirror) {

    public String name() {
        return config.name();
    }
}
