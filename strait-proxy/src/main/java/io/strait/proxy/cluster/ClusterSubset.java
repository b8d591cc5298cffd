package io.strait.proxy.cluster;

import io.strait.proxy.cluster.lb.LbContext;
import io.strait.proxy.cluster.lb.LoadBalancer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints of a cluster whose labels contain all of {@link #labels()} ({@code version: v2}), with a
 * load balancer of their own (the cluster's kind), kept current as DNS answers and health change.
 * Obtained from {@link Cluster#subset(Map)} once per route, then used on every request.
 *
 * <p>No fallback: when no endpoint of the subset is healthy, {@link #select} returns null and the
 * request fails (503) rather than going to endpoints outside the subset, as Envoy's {@code
 * NO_FALLBACK}: a request pinned to v2 must never be served by v1. A weighted split may move the
 * request to another of its subsets instead (see {@code io.strait.proxy.traffic.TrafficSplit}).
 */
public final class ClusterSubset {
    private static final Logger log = LoggerFactory.getLogger(ClusterSubset.class);

    private final Cluster cluster;
    private final Map<String, String> labels;
    /** null for the whole cluster: then the cluster's own balancer and endpoint list serve. */
    private final LoadBalancer lb;
    private volatile List<Endpoint> endpoints = List.of();

    /** The whole cluster (no labels), selected by the cluster's own balancer. */
    ClusterSubset(Cluster cluster) {
        this.cluster = cluster;
        this.labels = Map.of();
        this.lb = null;
    }

    /** Endpoints of {@code all} carrying {@code labels}, selected by {@code lb}. */
    ClusterSubset(Cluster cluster, Map<String, String> labels, LoadBalancer lb, List<Endpoint> all) {
        this.cluster = cluster;
        this.labels = Map.copyOf(labels);
        this.lb = Objects.requireNonNull(lb, "lb");
        endpointsChanged(all);
    }

    public Cluster cluster() {
        return cluster;
    }

    /** The labels every member carries; empty for the whole cluster. */
    public Map<String, String> labels() {
        return labels;
    }

    /** The current members, healthy or not (an immutable list, replaced when the cluster's list changes). */
    public List<Endpoint> endpoints() {
        return lb == null ? cluster.endpoints() : endpoints;
    }

    /** A healthy member for this request, or null when none is healthy. Never throws; safe on any thread. */
    public Endpoint select(LbContext ctx) {
        if (lb == null) return cluster.select(ctx);
        try {
            return lb.select(endpoints, ctx);
        } catch (RuntimeException e) {
            log.error("cluster {}, subset {}: load balancer failed: {}", cluster.name(), labels, e.toString());
            return null;
        }
    }

    /** True when at least one member is healthy now. */
    public boolean hasHealthy() {
        List<Endpoint> list = endpoints();
        for (int i = 0, n = list.size(); i < n; i++) {
            if (list.get(i).healthy()) return true;
        }
        return false;
    }

    /** True when {@code e} carries every label of this subset. */
    boolean matches(Endpoint e) {
        Map<String, String> own = e.labels();
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!label.getValue().equals(own.get(label.getKey()))) return false;
        }
        return true;
    }

    /** The cluster's endpoint list changed: members are recomputed; the balancer sees them first. Under the cluster's lock. */
    void endpointsChanged(List<Endpoint> all) {
        if (lb == null) return;
        List<Endpoint> members = all.stream().filter(this::matches).toList();
        // an unchanged membership keeps the list, so round-robin does not restart its schedule
        if (members.equals(endpoints)) return;
        lb.endpointsChanged(members);
        endpoints = members;
    }

    /** A member's health flag changed: balancers that precompute over healthy endpoints rebuild. Under the cluster's lock. */
    void healthChanged() {
        if (lb != null) lb.endpointsChanged(endpoints);
    }

    @Override
    public String toString() {
        return cluster.name() + labels;
    }
}
