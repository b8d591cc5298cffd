package io.strait.proxy.cluster.lb;

import io.strait.proxy.cluster.Endpoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weighted round-robin without locks: nginx's smooth weighted sequence (weights 5/1/1 give
 * {@code a a b a c a a}) is computed once per endpoint change and walked with an atomic counter.
 * The schedule holds the endpoints that were healthy when it was built; one that turned unhealthy
 * since is skipped.
 */
public final class RoundRobinBalancer implements LoadBalancer {
    /**
     * Longest precomputed schedule: one full smooth round is as long as the sum of the (gcd-reduced)
     * weights; beyond this the weights are scaled down, losing a little precision but bounding the
     * memory and the worst-case scan when most endpoints are down.
     */
    static final int MAX_SCHEDULE_LENGTH = 4096;

    private record Schedule(List<Endpoint> source, Endpoint[] slots) {}

    private final AtomicLong next = new AtomicLong();
    private volatile Schedule schedule;

    @Override
    public Endpoint select(List<Endpoint> endpoints, LbContext ctx) {
        Schedule s = schedule;
        if (s == null || s.source != endpoints) schedule = s = build(endpoints);
        Endpoint[] slots = s.slots;
        int n = slots.length;
        if (n == 0) return Healthy.scan(endpoints, 0);
        int start = (int) Math.floorMod(next.getAndIncrement(), (long) n);
        for (int i = 0; i < n; i++) {
            Endpoint e = slots[(start + i) % n];
            if (e.healthy()) return e;
        }
        // every scheduled endpoint is down; one left out of the schedule may have recovered since
        return Healthy.scan(endpoints, start % Math.max(1, endpoints.size()));
    }

    @Override
    public void endpointsChanged(List<Endpoint> endpoints) {
        schedule = build(endpoints);
    }

    private static Schedule build(List<Endpoint> endpoints) {
        List<Endpoint> members = endpoints.stream().filter(Endpoint::healthy).toList();
        if (members.isEmpty()) members = endpoints;
        return new Schedule(endpoints, smooth(members));
    }

    /** One round of nginx's smooth weighted round-robin over {@code members}. */
    static Endpoint[] smooth(List<Endpoint> members) {
        int n = members.size();
        if (n == 0) return new Endpoint[0];
        int[] weights = reducedWeights(members);
        int total = 0;
        boolean allOne = true;
        for (int w : weights) {
            total += w;
            allOne &= w == 1;
        }
        if (allOne) return members.toArray(Endpoint[]::new);
        Endpoint[] slots = new Endpoint[total];
        long[] current = new long[n];
        for (int slot = 0; slot < total; slot++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) best = i;
            }
            current[best] -= total;
            slots[slot] = members.get(best);
        }
        return slots;
    }

    /** Weights divided by their gcd, then scaled so that their sum stays near {@link #MAX_SCHEDULE_LENGTH}. */
    private static int[] reducedWeights(List<Endpoint> members) {
        int n = members.size();
        int[] weights = new int[n];
        int gcd = 0;
        long sum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.max(1, members.get(i).weight());
            gcd = gcd(gcd, weights[i]);
            sum += weights[i];
        }
        sum /= gcd;
        for (int i = 0; i < n; i++) {
            weights[i] /= gcd;
            if (sum > MAX_SCHEDULE_LENGTH) {
                weights[i] = (int) Math.max(1, Math.round((double) weights[i] * MAX_SCHEDULE_LENGTH / sum));
            }
        }
        return weights;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
