package io.strait.proxy.cluster.lb;

import io.strait.proxy.cluster.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Least-request by the power of two choices: two distinct healthy endpoints at random, the one with
 * fewer requests in flight wins. With unequal weights the score is Envoy's {@code weight / (active +
 * 1)}, so a heavier endpoint may carry proportionally more load before it loses.
 */
public final class LeastRequestBalancer implements LoadBalancer {
    private volatile HealthySnapshot snapshot;

    @Override
    public Endpoint select(List<Endpoint> endpoints, LbContext ctx) {
        HealthySnapshot s = snapshot;
        if (s == null || s.source != endpoints) snapshot = s = HealthySnapshot.of(endpoints);
        Endpoint[] healthy = s.healthy;
        int n = healthy.length;
        if (n == 0) return Healthy.random(endpoints);
        if (n == 1) return healthy[0].healthy() ? healthy[0] : Healthy.random(endpoints);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) j++;
        Endpoint a = healthy[i];
        Endpoint b = healthy[j];
        if (!a.healthy()) return b.healthy() ? b : Healthy.random(endpoints);
        if (!b.healthy()) return a;
        return better(a, b, s.equalWeights) ? a : b;
    }

    @Override
    public void endpointsChanged(List<Endpoint> endpoints) {
        snapshot = HealthySnapshot.of(endpoints);
    }

    /** True when {@code a} should take the request rather than {@code b}; ties go to {@code a}. */
    static boolean better(Endpoint a, Endpoint b, boolean equalWeights) {
        long activeA = Math.max(0, a.activeRequests());
        long activeB = Math.max(0, b.activeRequests());
        if (equalWeights) return activeA <= activeB;
        // weightA / (activeA + 1) >= weightB / (activeB + 1), without division
        return (long) a.weight() * (activeB + 1) >= (long) b.weight() * (activeA + 1);
    }
}
