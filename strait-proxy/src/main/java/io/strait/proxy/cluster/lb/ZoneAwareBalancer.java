package io.strait.proxy.cluster.lb;

import io.strait.proxy.cluster.Endpoint;
import java.util.List;
import java.util.Objects;

/**
 * Keeps traffic in the process's own zone while that zone is healthy enough: while at least {@code
 * minHealthyPercent} of the local zone's endpoints are healthy, requests go round-robin over its
 * healthy endpoints; below that (or with no local endpoint) they spill over round-robin to every
 * healthy endpoint of every zone.
 */
public final class ZoneAwareBalancer implements LoadBalancer {
    private record Zones(List<Endpoint> source, List<Endpoint> local) {}

    private final String localZone;
    private final int minHealthyPercent;
    private final RoundRobinBalancer inZone = new RoundRobinBalancer();
    private final RoundRobinBalancer everywhere = new RoundRobinBalancer();
    private volatile Zones zones;

    public ZoneAwareBalancer(String localZone, int minHealthyPercent) {
        this.localZone = localZone;
        this.minHealthyPercent = minHealthyPercent;
    }

    @Override
    public Endpoint select(List<Endpoint> endpoints, LbContext ctx) {
        Zones z = zones;
        if (z == null || z.source != endpoints) zones = z = split(endpoints);
        return localHealthyEnough(z.local) ? inZone.select(z.local, ctx) : everywhere.select(endpoints, ctx);
    }

    @Override
    public void endpointsChanged(List<Endpoint> endpoints) {
        Zones z = zones;
        if (z == null || z.source != endpoints) zones = z = split(endpoints);
        inZone.endpointsChanged(z.local);
        everywhere.endpointsChanged(endpoints);
    }

    private boolean localHealthyEnough(List<Endpoint> local) {
        int size = local.size();
        if (size == 0) return false;
        int healthy = 0;
        for (int i = 0; i < size; i++) {
            if (local.get(i).healthy()) healthy++;
        }
        return healthy > 0 && healthy * 100L >= (long) minHealthyPercent * size;
    }

    private Zones split(List<Endpoint> endpoints) {
        List<Endpoint> local = localZone == null
                ? List.of()
                : endpoints.stream().filter(e -> Objects.equals(localZone, e.zone())).toList();
        return new Zones(endpoints, local);
    }
}
