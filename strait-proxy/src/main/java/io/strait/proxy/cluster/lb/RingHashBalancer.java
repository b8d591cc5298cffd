package io.strait.proxy.cluster.lb;

import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.proxy.cluster.Endpoint;
import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing (Ketama style): every endpoint owns many points on a 64-bit ring, in proportion
 * to its weight; a request goes to the first point at or after its key's hash. Adding or removing one
 * of N endpoints moves only about 1/N of the keys. When the owner of the key's point is unhealthy the
 * request goes to the next healthy endpoint clockwise; a request without a key goes to a random one.
 */
public final class RingHashBalancer implements LoadBalancer {
    /**
     * Points per unit of weight. An endpoint's share deviates from its fair share by about
     * 1/sqrt(points): 1024 keeps three endpoints within a few percent of an even split (Ketama uses
     * 160, Envoy's smallest ring is 1024). The count does not depend on the other endpoints, so
     * removing one endpoint moves only the keys it owned.
     */
    static final int POINTS_PER_WEIGHT = 1024;
    /**
     * Most points on a ring: 12 bytes each, so a ring stays within about 3 MB however large or heavily
     * weighted the cluster; above it every endpoint's points are scaled down alike.
     */
    static final int MAX_RING_SIZE = 1 << 18;

    private record Ring(List<Endpoint> source, long[] hashes, Endpoint[] owners) {}

    private final HashKey key;
    private volatile Ring ring;

    public RingHashBalancer(HashOn hashOn) {
        this.key = new HashKey(hashOn);
    }

    @Override
    public Endpoint select(List<Endpoint> endpoints, LbContext ctx) {
        Ring r = ring;
        if (r == null || r.source != endpoints) ring = r = build(endpoints);
        String k = key.of(ctx);
        if (k == null || k.isEmpty() || r.hashes.length == 0) return Healthy.random(endpoints);
        return walk(r, Hashing.hash64(k));
    }

    /** Rebuilds the ring when the endpoints change; a health change alone keeps it (select skips the unhealthy). */
    @Override
    public void endpointsChanged(List<Endpoint> endpoints) {
        Ring r = ring;
        if (r == null || r.source != endpoints) ring = build(endpoints);
    }

    private static Endpoint walk(Ring r, long hash) {
        long[] hashes = r.hashes;
        int n = hashes.length;
        int at = Arrays.binarySearch(hashes, hash);
        if (at < 0) at = -at - 1;
        for (int i = 0; i < n; i++) {
            Endpoint e = r.owners[(at + i) % n];
            if (e.healthy()) return e;
        }
        return null;
    }

    private static Ring build(List<Endpoint> endpoints) {
        int n = endpoints.size();
        long wanted = 0;
        for (Endpoint e : endpoints) wanted += (long) POINTS_PER_WEIGHT * Math.max(1, e.weight());
        double scale = wanted > MAX_RING_SIZE ? (double) MAX_RING_SIZE / wanted : 1.0;
        int[] points = new int[n];
        int size = 0;
        for (int i = 0; i < n; i++) {
            long p = (long) POINTS_PER_WEIGHT * Math.max(1, endpoints.get(i).weight());
            points[i] = (int) Math.max(1, Math.round(p * scale));
            size += points[i];
        }
        long[] packed = new long[size];
        long[] hashes = new long[size];
        int at = 0;
        for (int i = 0; i < n; i++) {
            long base = Hashing.hash64(endpoints.get(i).id());
            for (int p = 0; p < points[i]; p++) hashes[at++] = Hashing.derive(base, p);
        }
        // sort point indices by hash: order[k] = which endpoint owns the k-th smallest hash
        Integer[] order = new Integer[size];
        int[] ownerOf = new int[size];
        at = 0;
        for (int i = 0; i < n; i++) for (int p = 0; p < points[i]; p++) ownerOf[at++] = i;
        for (int k = 0; k < size; k++) order[k] = k;
        Arrays.sort(order, (x, y) -> Long.compare(hashes[x], hashes[y]));
        Endpoint[] owners = new Endpoint[size];
        for (int k = 0; k < size; k++) {
            packed[k] = hashes[order[k]];
            owners[k] = endpoints.get(ownerOf[order[k]]);
        }
        return new Ring(endpoints, packed, owners);
    }
}
