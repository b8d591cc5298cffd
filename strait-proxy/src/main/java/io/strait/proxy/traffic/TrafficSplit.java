package io.strait.proxy.traffic;

import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.TrafficPolicy;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.cluster.ClusterSubset;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.HashKey;
import io.strait.proxy.cluster.lb.Hashing;
import io.strait.proxy.cluster.lb.LbContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a route's requests go within its cluster: the whole cluster, one pinned subset ({@code
 * subset: {version: v2}}), or a weighted split over subsets (v1 90 / v2 10). Built once per route
 * when a config generation is built; {@link #select} is the one call per request.
 *
 * <p>A split draws an entry with probability weight / total: at random, or with {@code stickyOn} by
 * a stable hash of the request's header, cookie or source IP, so one user always lands on the same
 * subset (not the same endpoint, unless the cluster balances by ring-hash) on every replica and
 * across restarts, while the share of users per subset follows the weights. Raising v2 from 10 to 20
 * moves only the users in between: each entry owns a contiguous range of the hash space. A request
 * without the sticky key is drawn at random. Entries of weight 0 are never picked.
 *
 * <p>Spill-over: when the drawn subset has no healthy endpoint, the request goes to the next entry
 * in weight order (heaviest first, then as written) that has one; only when none has does {@link
 * #select} return null (503). A pinned subset never spills over (see {@link ClusterSubset}).
 */
public final class TrafficSplit {
    /**
     * Mixed into the sticky key's hash before it picks an entry. Without it a split and a ring-hash
     * balancer on the same key would use the same hash: the users of a 1% entry would all fall in one
     * 1% arc of that subset's ring, where each endpoint owns only a few points, so their load would be
     * uneven. Any fixed constant does; changing it moves users between entries.
     */
    static final long STICKY_SALT = 0x5eed_5b17_c0ffeeL;

    /** Entries of positive weight, as written. */
    private final ClusterSubset[] subsets;
    /** {@code cumulative[i]} = sum of the weights of {@code subsets[0..i]}. */
    private final long[] cumulative;
    /** The same subsets, heaviest first, for spill-over. */
    private final ClusterSubset[] byWeight;
    /** null: a random draw. */
    private final HashKey sticky;

    private TrafficSplit(ClusterSubset[] subsets, long[] cumulative, ClusterSubset[] byWeight, HashKey sticky) {
        this.subsets = subsets;
        this.cumulative = cumulative;
        this.byWeight = byWeight;
        this.sticky = sticky;
    }

    /**
     * The route's shaping over {@code cluster}: a split when {@code policy.split()} is given, else the
     * pinned {@code policy.subset()}, else the whole cluster (also for a null policy).
     *
     * @throws IllegalArgumentException for a policy the config validation should have refused (both
     *     subset and split, a negative weight, no positive weight)
     */
    public static TrafficSplit of(TrafficPolicy policy, Cluster cluster) {
        if (policy == null || policy.split().isEmpty()) {
            return pinned(cluster.subset(policy == null ? Map.of() : policy.subset()));
        }
        String where = "cluster " + cluster.name() + ": split";
        if (!policy.subset().isEmpty()) throw new IllegalArgumentException(where + " and subset exclude each other");
        List<ClusterSubset> picked = new ArrayList<>();
        List<Long> sums = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        long total = 0;
        for (TrafficPolicy.Split entry : policy.split()) {
            if (entry.weight() < 0) throw new IllegalArgumentException(where + " weight must be >= 0: " + entry);
            if (entry.weight() == 0) continue;
            total += entry.weight();
            picked.add(cluster.subset(entry.subset()));
            sums.add(total);
            weights.add(entry.weight());
        }
        if (picked.isEmpty()) throw new IllegalArgumentException(where + " needs an entry of positive weight");
        Integer[] order = new Integer[picked.size()];
        Arrays.setAll(order, i -> i);
        // stable: equal weights keep the order as written
        Arrays.sort(order, Comparator.comparing((Integer i) -> weights.get(i)).reversed());
        ClusterSubset[] byWeight = Arrays.stream(order).map(picked::get).toArray(ClusterSubset[]::new);
        HashOn on = policy.stickyOn();
        return new TrafficSplit(picked.toArray(ClusterSubset[]::new), sums.stream().mapToLong(Long::longValue).toArray(),
                byWeight, on == null ? null : new HashKey(on));
    }

    /** Every request to {@code subset}, without spill-over. */
    public static TrafficSplit pinned(ClusterSubset subset) {
        ClusterSubset[] one = {subset};
        return new TrafficSplit(one, new long[] {1}, one, null);
    }

    /**
     * A healthy endpoint for this request: of the subset {@link #pick} would draw, or of the next
     * entry by weight when that one has none; null when no entry has a healthy endpoint. Never throws.
     */
    public Endpoint select(LbContext ctx) {
        ClusterSubset drawn = draw(ctx);
        Endpoint e = drawn.select(ctx);
        if (e != null) return e;
        for (ClusterSubset s : byWeight) {
            if (s == drawn) continue;
            e = s.select(ctx);
            if (e != null) return e;
        }
        return null;
    }

    /**
     * The subset that serves this request: the drawn entry, or the spill-over target when it has no
     * healthy endpoint; the drawn entry when no entry has one.
     */
    public ClusterSubset pick(LbContext ctx) {
        ClusterSubset drawn = draw(ctx);
        if (drawn.hasHealthy()) return drawn;
        for (ClusterSubset s : byWeight) {
            if (s != drawn && s.hasHealthy()) return s;
        }
        return drawn;
    }

    /** The subsets of positive weight, as written (one for a pinned or whole-cluster route). */
    public List<ClusterSubset> subsets() {
        return List.of(subsets);
    }

    /** True when a split draws by the request's key rather than at random. */
    public boolean sticky() {
        return sticky != null;
    }

    private ClusterSubset draw(LbContext ctx) {
        if (subsets.length == 1) return subsets[0];
        long point = point(ctx, cumulative[cumulative.length - 1]);
        // splits have a handful of entries: a scan beats a binary search
        for (int i = 0; i < cumulative.length - 1; i++) {
            if (point < cumulative[i]) return subsets[i];
        }
        return subsets[subsets.length - 1];
    }

    /** Where in {@code [0, total)} this request falls. */
    private long point(LbContext ctx, long total) {
        if (sticky != null) {
            String key = sticky.of(ctx);
            if (key != null && !key.isEmpty()) {
                // the high half of hash * total: uniform over [0, total) for a uniform 64-bit hash
                return Math.unsignedMultiplyHigh(Hashing.mix(Hashing.hash64(key) ^ STICKY_SALT), total);
            }
        }
        return ThreadLocalRandom.current().nextLong(total);
    }

    @Override
    public String toString() {
        return Arrays.toString(subsets) + (sticky != null ? " sticky" : "");
    }
}
