package io.strait.proxy.cluster.lb;

import io.strait.proxy.cluster.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Fallback scans shared by the balancers, for when their precomputed state is stale or empty. */
final class Healthy {
    private Healthy() {}

    /** The first healthy endpoint at or after {@code start}, wrapping around; null when none is healthy. */
    static Endpoint scan(List<Endpoint> endpoints, int start) {
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get((start + i) % n);
            if (e.healthy()) return e;
        }
        return null;
    }

    /** A healthy endpoint from a random starting point (uniform when all are healthy); null when none is. */
    static Endpoint random(List<Endpoint> endpoints) {
        int n = endpoints.size();
        return n == 0 ? null : scan(endpoints, ThreadLocalRandom.current().nextInt(n));
    }
}
