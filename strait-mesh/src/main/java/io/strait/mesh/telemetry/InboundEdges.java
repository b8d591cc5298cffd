package io.strait.mesh.telemetry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbound's calls per caller since the last report, for the control plane's service graph. One per sidecar,
 * kept across config reloads. Callers are bounded by the mesh's identities (plus one entry for every caller without
 * an SVID), and at most {@link #MAX_CALLERS}: a sidecar never grows without bound whatever connects to it.
 */
public final class InboundEdges {
    /** More distinct callers than a mesh has identities: beyond it, calls of new callers count under no principal. */
    static final int MAX_CALLERS = 4096;
    private final Map<Caller, EdgeStats> edges = new ConcurrentHashMap<>();

    /** A caller: its SPIFFE ID (empty without a client certificate) and whether it came over mutual TLS. */
    public record Caller(String principal, boolean mtls) {}

    /** One caller's drained counts. */
    public record Edge(Caller caller, EdgeStats.Drained stats) {}

    /** The stats of {@code caller}, made on its first call (looked up once per connection, not per request). */
    EdgeStats of(String principal, boolean mtls) {
        Caller c = new Caller(principal, mtls);
        EdgeStats s = edges.get(c);
        if (s != null) return s;
        if (edges.size() >= MAX_CALLERS) c = new Caller("", mtls);
        return edges.computeIfAbsent(c, k -> new EdgeStats());
    }

    /** Every caller's calls since the last drain (callers with none left out). */
    public List<Edge> drain() {
        List<Edge> out = new ArrayList<>();
        edges.forEach((caller, stats) -> {
            EdgeStats.Drained d = stats.drain();
            if (d.requests() > 0) out.add(new Edge(caller, d));
        });
        return out;
    }
}
