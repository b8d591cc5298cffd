package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.DEFAULT_FAULT_PERCENT;
import static io.strait.config.load.ConfigLoader.DEFAULT_MIRROR_PERCENT;
import static io.strait.config.load.ConfigLoader.MAX_SPLIT_WEIGHT;
import static io.strait.config.load.ConfigReader.positive;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.TrafficPolicy;
import io.strait.config.model.TrafficPolicy.Fault;
import io.strait.config.model.TrafficPolicy.Mirror;
import io.strait.config.model.TrafficPolicy.Split;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a route's traffic shaping: {@code subset}, {@code split}, {@code stickyOn}, {@code mirror} and {@code
 * fault}. Every subset must be carried by at least one endpoint of the route's cluster as configured, so a
 * typo in a label is an error rather than a share of requests answered 503.
 */
final class TrafficReader {
    private final Map<String, ClusterConfig> clusters;
    private final Set<String> declaredClusters;

    /** {@code clusters}: the valid clusters; {@code declaredClusters}: every name under {@code clusters}. */
    TrafficReader(Map<String, ClusterConfig> clusters, Set<String> declaredClusters) {
        this.clusters = clusters;
        this.declaredClusters = declaredClusters;
    }

    /** {@code cluster}: the route's cluster, or null when it has none (already an error). */
    TrafficPolicy read(Node route, String cluster) {
        Map<String, String> subset = Map.of();
        if (route.present("subset")) {
            subset = labels(route, "subset");
            checkCarried(route, "subset", cluster, subset);
        }
        List<Split> split = split(route, cluster);
        if (route.has("subset") && route.has("split")) {
            route.error("split", "cannot be combined with subset: give one of them");
        }
        HashOn sticky = null;
        Node s = route.object("stickyOn");
        if (s != null) {
            if (!route.has("split")) route.error("stickyOn", "only applies with split");
            sticky = ClusterReader.hashKey(s);
        }
        Mirror mirror = mirror(route.object("mirror"), cluster);
        Fault fault = fault(route.object("fault"));
        return new TrafficPolicy(subset, split, sticky, mirror, fault);
    }

    /** A non-empty map of non-empty label names and values. */
    private static Map<String, String> labels(Node n, String field) {
        int before = n.errors().size();
        Map<String, String> labels = n.stringMap(field);
        if (n.errors().size() != before) return Map.of();
        if (labels.isEmpty()) n.error(field, "must name at least one label, such as {version: v2}");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey().isBlank()) {
                n.error(field, "label names must not be empty");
            } else if (e.getValue().isBlank()) {
                n.error(field + "." + e.getKey(), "must not be empty");
            } else {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** A subset no configured endpoint carries would take its share of requests and answer every one with 503. */
    private void checkCarried(Node n, String field, String cluster, Map<String, String> subset) {
        ClusterConfig c = cluster == null ? null : clusters.get(cluster);
        if (c == null || subset.isEmpty()) return;
        boolean carried = c.endpoints().stream().anyMatch(ep -> ep.labels().entrySet().containsAll(subset.entrySet()));
        if (!carried) {
            n.error(field, "no endpoint of cluster '" + cluster + "' has labels " + new TreeMap<>(subset));
        }
    }

    List<Split> split(Node route, String cluster) {
        List<Split> out = new ArrayList<>();
        if (!route.present("split")) return out;
        int before = route.errors().size();
        List<Node> entries = route.objects("split");
        if (entries.isEmpty() && route.errors().size() == before) {
            route.error("split", "must list at least one {subset, weight}");
        }
        boolean weighted = false;
        int weightErrors = 0;
        List<Map<String, String>> seen = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Node e = entries.get(i);
            Map<String, String> subset = Map.of();
            if (!e.has("subset")) {
                e.skip("subset");
                e.error("subset", "is required, such as {version: v2}");
            } else {
                subset = labels(e, "subset");
                int same = seen.indexOf(subset);
                if (!subset.isEmpty() && same >= 0) {
                    e.error("subset", "is the same subset as split[" + same + "]");
                } else {
                    checkCarried(e, "subset", cluster, subset);
                }
            }
            seen.add(subset);
            int weight = 0;
            int errorsBefore = e.errors().size();
            if (!e.has("weight")) {
                e.skip("weight");
                e.error("weight", "is required: an integer 0-" + MAX_SPLIT_WEIGHT);
            } else {
                weight = e.integer("weight", 0, 0, MAX_SPLIT_WEIGHT);
            }
            weightErrors += e.errors().size() - errorsBefore;
            weighted |= weight > 0;
            e.finish();
            out.add(new Split(subset, weight));
        }
        if (!entries.isEmpty() && !weighted && weightErrors == 0) {
            route.error("split", "needs at least one weight above 0");
        }
        return out;
    }

    private Mirror mirror(Node m, String routeCluster) {
        if (m == null) return null;
        String cluster = m.requiredString("cluster");
        if (cluster != null && RouteReader.knownCluster(m, "cluster", cluster, declaredClusters)
                && cluster.equals(routeCluster)) {
            m.error("cluster", "must differ from the route's cluster '" + routeCluster + "'");
        }
        double percent = percent(m, DEFAULT_MIRROR_PERCENT, false);
        m.finish();
        return new Mirror(cluster, percent);
    }

    private static Fault fault(Node f) {
        if (f == null) return null;
        int before = f.errors().size();
        Node delay = f.object("delay");
        Node abort = f.object("abort");
        if (delay == null && abort == null && f.errors().size() == before) {
            f.errors().add(f.path(), "must set delay, abort or both");
        }
        Duration wait = null;
        double delayPercent = 0;
        if (delay != null) {
            if (!delay.has("duration")) {
                delay.skip("duration");
                delay.error("duration", "is required, such as 2s");
            } else {
                wait = positive(delay, "duration", null);
            }
            delayPercent = percent(delay, DEFAULT_FAULT_PERCENT, true);
            delay.finish();
        }
        int status = 0;
        double abortPercent = 0;
        if (abort != null) {
            if (!abort.has("status")) {
                abort.skip("status");
                abort.error("status", "is required: an HTTP status 200-599");
            } else {
                status = abort.integer("status", 0, 200, 599);
            }
            abortPercent = percent(abort, DEFAULT_FAULT_PERCENT, true);
            abort.finish();
        }
        f.finish();
        return new Fault(wait, delayPercent, status, abortPercent);
    }

    /** {@code percent}: a number up to 100, above 0 unless {@code zeroAllowed}. */
    private static double percent(Node n, double dflt, boolean zeroAllowed) {
        int before = n.errors().size();
        double p = n.decimal("percent", dflt, 0, 100);
        if (!zeroAllowed && p == 0 && n.errors().size() == before) {
            n.error("percent", "must be greater than 0 and at most 100");
            return dflt;
        }
        return p;
    }
}
