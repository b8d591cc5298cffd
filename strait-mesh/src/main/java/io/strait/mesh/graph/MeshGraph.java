package io.strait.mesh.graph;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.registry.Registration;
import io.strait.mesh.registry.RegistrySnapshot;
import io.strait.mesh.telemetry.LatencyBuckets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The mesh's service graph, as {@code GET /mesh/graph} serves it (Kiali's graph, Linkerd viz's {@code edges}): the
 * registry's services as nodes (with their workload counts), the gateways that reported in the window, and an edge per
 * caller and called service with the window's calls, errors (5xx), rate, success rate, p50/p99 latency (from the merged
 * histograms) and whether every call was mutual TLS.
 *
 * <p>A caller is named by its principal, the SPIFFE ID of its SVID: a gateway's principal is the gateway's node
 * ({@code kind: gateway}); a principal whose registered workloads all belong to one service is that service; any other
 * principal (one shared by the workloads of several services, or one with no workload in the registry now) is a node of
 * its own, {@code kind: unknown}, with the id {@code <trust domain>/ns/<namespace>/sa/<account>} and its
 * {@code principal} (and, when shared, the {@code services} that run as it). A caller without an SVID (plaintext, or
 * TLS without a client certificate, which PERMISSIVE accepts) is the node {@code unknown}.
 */
public final class MeshGraph {
    /** The node of every caller without an SVID. */
    static final String UNKNOWN = "unknown";

    private MeshGraph() {}

    public static ObjectNode build(TelemetryWindow window, RegistrySnapshot registry, long nowMillis) {
        Map<String, ObjectNode> nodes = new TreeMap<>();
        Map<String, Set<String>> servicesOf = new TreeMap<>(); // principal -> service node ids
        registry.namespaces().forEach((ns, services) -> services.forEach((svc, regs) -> {
            String id = ns + "/" + svc;
            nodes.put(id, node(id, ns, svc, regs.size(), "service"));
            for (Registration r : regs) servicesOf.computeIfAbsent(r.owner().uri(), p -> new TreeSet<>()).add(id);
        }));
        Map<String, String> gateways = new TreeMap<>(); // principal -> node id
        window.gateways().forEach((principal, instances) -> {
            SpiffeId g = SpiffeId.parse(principal);
            String id = g.namespace() + "/" + g.account();
            gateways.put(principal, id);
            if (!nodes.containsKey(id)) nodes.put(id, node(id, g.namespace(), g.account(), instances, "gateway"));
        });

        Map<String, Merged> edges = new TreeMap<>();
        double seconds = window.seconds();
        for (TelemetryWindow.EdgeTotals t : window.edges()) {
            TelemetryWindow.EdgeKey k = t.key();
            String destination = k.namespace() + "/" + k.service();
            nodes.computeIfAbsent(destination, id -> node(id, k.namespace(), k.service(), 0, "service"));
            String source = source(k.sourcePrincipal(), gateways, servicesOf, nodes);
            edges.computeIfAbsent(source + "\n" + destination, x -> new Merged(source, destination)).add(t);
        }

        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("windowSeconds", TelemetryWindow.WINDOW.toSeconds());
        root.put("generatedAtEpochMillis", nowMillis);
        ArrayNode nodeArray = root.putArray("nodes");
        nodes.values().forEach(nodeArray::add);
        ArrayNode edgeArray = root.putArray("edges");
        edges.values().forEach(m -> edgeArray.add(m.json(seconds)));
        return root;
    }

    /** The node id of a caller, adding its node when it is not a service or gateway. */
    private static String source(String principal, Map<String, String> gateways, Map<String, Set<String>> servicesOf,
            Map<String, ObjectNode> nodes) {
        if (principal.isEmpty()) {
            nodes.computeIfAbsent(UNKNOWN, id -> node(id, UNKNOWN, UNKNOWN, 0, UNKNOWN));
            return UNKNOWN;
        }
        String gateway = gateways.get(principal);
        if (gateway != null) return gateway;
        Set<String> services = servicesOf.getOrDefault(principal, Set.of());
        if (services.size() == 1) return services.iterator().next();
        SpiffeId id = SpiffeId.parse(principal);
        String nodeId = id.principal();
        nodes.computeIfAbsent(nodeId, n -> {
            ObjectNode node = node(n, id.namespace(), id.account(), 0, UNKNOWN).put("principal", principal);
            if (!services.isEmpty()) services.forEach(node.putArray("services")::add);
            return node;
        });
        return nodeId;
    }

    private static ObjectNode node(String id, String namespace, String service, int workloads, String kind) {
        return JsonNodeFactory.instance.objectNode().put("id", id).put("namespace", namespace).put("service", service)
                .put("workloads", workloads).put("kind", kind);
    }

    /** The calls of one caller node to one service node, summed over the principals and securities that map to them. */
    private static final class Merged {
        private final String source;
        private final String destination;
        private long requests;
        private long errors;
        private final long[] buckets = new long[LatencyBuckets.COUNT];
        private boolean mtls = true;

        Merged(String source, String destination) {
            this.source = source;
            this.destination = destination;
        }

        void add(TelemetryWindow.EdgeTotals t) {
            requests += t.requests();
            errors += t.errors();
            for (int i = 0; i < buckets.length; i++) buckets[i] += t.buckets()[i];
            mtls &= t.key().mtls();
        }

        ObjectNode json(double seconds) {
            ObjectNode e = JsonNodeFactory.instance.objectNode().put("source", source).put("destination", destination)
                    .put("requests", requests).put("errors", errors).put("requestsPerSecond", round(requests / seconds, 3));
            if (requests == 0) e.putNull("successRate");
            else e.put("successRate", round(1 - (double) errors / requests, 4));
            Double p50 = LatencyBuckets.quantileMillis(buckets, 0.5);
            Double p99 = LatencyBuckets.quantileMillis(buckets, 0.99);
            if (p50 == null) e.putNull("p50Ms");
            else e.put("p50Ms", round(p50, 3));
            if (p99 == null) e.putNull("p99Ms");
            else e.put("p99Ms", round(p99, 3));
            return e.put("mtls", mtls);
        }
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }
}
