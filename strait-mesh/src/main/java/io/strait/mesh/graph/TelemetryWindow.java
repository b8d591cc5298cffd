package io.strait.mesh.graph;

import io.strait.mesh.telemetry.LatencyBuckets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last minute of the sidecars' reports, per edge (the reporting service, the caller's principal, mutual TLS or
 * not): each edge keeps {@link #SLOTS} slots of {@link #SLOT}, so a report is added to the slot of the time it arrived
 * and ages out a minute later, to the slot. Bounded: at most {@link #MAX_EDGES} edges (a report beyond it is counted
 * in {@link #dropped()} and left out) and {@link #MAX_GATEWAYS} gateway instances; edges with nothing in the window
 * are removed when the graph is read. Thread-safe.
 */
public final class TelemetryWindow {
    /** The graph's window: a minute, as Linkerd's {@code viz stat} and Kiali's default. */
    public static final Duration WINDOW = Duration.ofMinutes(1);
    /** The window's resolution: a report ages out within this much of a minute after it arrived. */
    public static final Duration SLOT = Duration.ofSeconds(5);
    static final int SLOTS = (int) (WINDOW.toMillis() / SLOT.toMillis());
    /** Far more than a mesh's edges (services x callers); each costs about 2 KiB. */
    public static final int MAX_EDGES = 10_000;
    /** Gateway instances remembered at once. */
    static final int MAX_GATEWAYS = 1_000;

    /** An edge as reported: the destination service and the caller's SPIFFE ID ("" without one). */
    public record EdgeKey(String namespace, String service, String sourcePrincipal, boolean mtls) {}

    /** An edge's totals over the window. */
    public record EdgeTotals(EdgeKey key, long requests, long errors, long[] buckets) {}

    /** A gateway instance: its identity and instance id. */
    private record GatewayInstance(String principal, String instanceId) {}

    private final Clock clock;
    private final long startedMillis;
    private final Map<EdgeKey, Slots> edges = new ConcurrentHashMap<>();
    private final Map<GatewayInstance, Long> gateways = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();

    public TelemetryWindow(Clock clock) {
        this.clock = clock;
        this.startedMillis = clock.millis();
    }

    /** Adds one report's counts of an edge (non-cumulative latency counts, {@link LatencyBuckets#COUNT} of them). */
    public void add(EdgeKey key, long requests, long errors, long[] buckets) {
        Slots s = edges.get(key);
        if (s == null) {
            if (edges.size() >= MAX_EDGES) {
                dropped.incrementAndGet();
                return;
            }
            s = edges.computeIfAbsent(key, k -> new Slots());
        }
        s.add(clock.millis() / SLOT.toMillis(), requests, errors, buckets);
    }

    /** A gateway instance of {@code principal} reported now. */
    public void gateway(String principal, String instanceId) {
        GatewayInstance g = new GatewayInstance(principal, instanceId);
        if (!gateways.containsKey(g) && gateways.size() >= MAX_GATEWAYS) return;
        gateways.put(g, clock.millis());
    }

    /** Every edge with calls in the window, summed; edges without are forgotten. */
    public List<EdgeTotals> edges() {
        long now = clock.millis() / SLOT.toMillis();
        List<EdgeTotals> out = new ArrayList<>();
        edges.entrySet().removeIf(e -> {
            EdgeTotals t = e.getValue().totals(e.getKey(), now);
            if (t == null) return true;
            out.add(t);
            return false;
        });
        return out;
    }

    /** The gateways' principals that reported in the window, with how many instances each. */
    public Map<String, Integer> gateways() {
        long since = clock.millis() - WINDOW.toMillis();
        gateways.values().removeIf(at -> at < since);
        Map<String, Integer> out = new java.util.TreeMap<>();
        gateways.keySet().forEach(g -> out.merge(g.principal(), 1, Integer::sum));
        return out;
    }

    /** The seconds the window's rates are over: a minute, or less while the control plane has run for less. */
    public double seconds() {
        long ran = clock.millis() - startedMillis;
        return Math.max(1, Math.min(WINDOW.toMillis(), ran)) / 1000.0;
    }

    /** Reports of new edges left out because {@link #MAX_EDGES} were kept. */
    public long dropped() {
        return dropped.get();
    }

    /** One edge's slots: slot {@code n % SLOTS} holds the counts of slot number {@code n} (time / {@link #SLOT}). */
    private static final class Slots {
        private final long[] number = new long[SLOTS];
        private final long[] requests = new long[SLOTS];
        private final long[] errors = new long[SLOTS];
        private final long[][] buckets = new long[SLOTS][LatencyBuckets.COUNT];

        Slots() {
            java.util.Arrays.fill(number, -1);
        }

        synchronized void add(long slot, long r, long e, long[] b) {
            int i = (int) (slot % SLOTS);
            if (number[i] != slot) {
                number[i] = slot;
                requests[i] = 0;
                errors[i] = 0;
                java.util.Arrays.fill(buckets[i], 0);
            }
            requests[i] += r;
            errors[i] += e;
            for (int k = 0; k < b.length; k++) buckets[i][k] += b[k];
        }

        /** The totals of the slots still in the window at slot {@code now}; null when there are none. */
        synchronized EdgeTotals totals(EdgeKey key, long now) {
            long r = 0;
            long e = 0;
            long[] b = new long[LatencyBuckets.COUNT];
            for (int i = 0; i < SLOTS; i++) {
                if (number[i] < 0 || number[i] <= now - SLOTS) continue;
                r += requests[i];
                e += errors[i];
                for (int k = 0; k < b.length; k++) b[k] += buckets[i][k];
            }
            return r == 0 ? null : new EdgeTotals(key, r, e, b);
        }
    }
}
