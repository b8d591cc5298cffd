package io.strait.proxy.cluster.lb;

import io.strait.proxy.cluster.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Weighted random among the healthy endpoints: an endpoint is picked with probability weight / total. */
public final class RandomBalancer implements LoadBalancer {
    private volatile HealthySnapshot snapshot;

    @Override
    public Endpoint select(List<Endpoint> endpoints, LbContext ctx) {
        HealthySnapshot s = snapshot;
        if (s == null || s.source != endpoints) snapshot = s = HealthySnapshot.of(endpoints);
        long total = s.totalWeight();
        if (total == 0) return Healthy.random(endpoints);
        Endpoint e = s.atWeight(ThreadLocalRandom.current().nextLong(total));
        return e.healthy() ? e : Healthy.random(endpoints);
    }

    @Override
    public void endpointsChanged(List<Endpoint> endpoints) {
        snapshot = HealthySnapshot.of(endpoints);
    }
}
