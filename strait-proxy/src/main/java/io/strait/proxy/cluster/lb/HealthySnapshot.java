package io.strait.proxy.cluster.lb;

import io.strait.proxy.cluster.Endpoint;
import java.util.List;

/**
 * The healthy endpoints of one endpoint list at the time it was taken, with cumulative weights for
 * weighted picks. Balancers take a new one in {@link LoadBalancer#endpointsChanged}, which the
 * cluster also calls when an endpoint's health changes; a select still checks {@link
 * Endpoint#healthy()} in case the snapshot is behind.
 */
final class HealthySnapshot {
    final List<Endpoint> source;
    final Endpoint[] healthy;
    /** {@code cumulative[i]} = sum of the weights of {@code healthy[0..i]}. */
    final long[] cumulative;
    final boolean equalWeights;

    private HealthySnapshot(List<Endpoint> source) {
        this.source = source;
        this.healthy = source.stream().filter(Endpoint::healthy).toArray(Endpoint[]::new);
        this.cumulative = new long[healthy.length];
        long sum = 0;
        boolean equal = true;
        for (int i = 0; i < healthy.length; i++) {
            sum += Math.max(1, healthy[i].weight());
            cumulative[i] = sum;
            equal &= healthy[i].weight() == healthy[0].weight();
        }
        this.equalWeights = equal;
    }

    static HealthySnapshot of(List<Endpoint> endpoints) {
        return new HealthySnapshot(endpoints);
    }

    long totalWeight() {
        return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
    }

    /** The healthy endpoint whose weight range holds {@code point} ({@code 0 <= point < totalWeight()}). */
    Endpoint atWeight(long point) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > point) hi = mid;
            else lo = mid + 1;
        }
        return healthy[lo];
    }
}
