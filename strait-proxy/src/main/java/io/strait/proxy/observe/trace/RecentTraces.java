package io.strait.proxy.observe.trace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The last N traces, assembled by trace id from the spans of every hop that reports here (this process's
 * own spans; on the control plane, the sidecars'), for the admin API's {@code GET /traces}.
 *
 * <p>Memory is bounded three times: at most {@code capacity} traces (the oldest is dropped first), at most
 * {@link #MAX_SPANS_PER_TRACE} spans in each (later ones are counted, not kept), and at most
 * {@link #SPANS_PER_TRACE_ON_AVERAGE} times {@code capacity} spans in all (older traces go first): a span is
 * well under 1 KB, so 100 traces hold at most about 2 MB. A span
 * is added in a short critical section (a map lookup and a list append): only sampled spans arrive here,
 * so it is rare under load, and it never waits on I/O.
 */
public final class RecentTraces implements SpanSink {
    /** A trace's spans beyond this are counted only: a long fan-out (a GraphQL query) cannot fill the memory. */
    public static final int MAX_SPANS_PER_TRACE = 200;
    /** The spans kept in all, per trace of capacity: a trace through a gateway and two sidecars has 8. */
    public static final int SPANS_PER_TRACE_ON_AVERAGE = 16;

    private final LinkedHashMap<String, Trace> traces = new LinkedHashMap<>(16, 0.75f, false);
    private final LongAdder droppedSpans = new LongAdder();
    private int capacity;
    private int spans;

    /** @param capacity how many traces are kept (0: none) */
    public RecentTraces(int capacity) {
        this.capacity = Math.max(0, capacity);
    }

    /** One trace's spans, in arrival order. */
    private static final class Trace {
        final List<SpanRecord> spans = new ArrayList<>(4);
    }

    /** A trace as {@code GET /traces} lists it. */
    public record Summary(String traceId, String rootName, String rootService, long startEpochMillis, double durationMillis,
            int spanCount, List<String> services, boolean error) {}

    @Override
    public void accept(SpanRecord span) {
        if (span == null) return;
        synchronized (traces) {
            if (capacity == 0) return;
            Trace t = traces.get(span.traceId());
            if (t == null) {
                t = new Trace();
                traces.put(span.traceId(), t);
                if (traces.size() > capacity) evictEldest();
            }
            if (t.spans.size() < MAX_SPANS_PER_TRACE) {
                t.spans.add(span);
                spans++;
                while (spans > capacity * SPANS_PER_TRACE_ON_AVERAGE && traces.size() > 1) evictEldest();
            } else {
                droppedSpans.increment();
            }
        }
    }

    /** Keeps at most {@code capacity} traces from now on (a reload changed {@code tracing.recent.traces}). */
    public void capacity(int capacity) {
        synchronized (traces) {
            this.capacity = Math.max(0, capacity);
            while (traces.size() > this.capacity) evictEldest();
        }
    }

    public int capacity() {
        synchronized (traces) {
            return capacity;
        }
    }

    /** Spans not kept because their trace was full. */
    public long droppedSpans() {
        return droppedSpans.sum();
    }

    private void evictEldest() {
        Iterator<Trace> it = traces.values().iterator();
        spans -= it.next().spans.size();
        it.remove();
    }

    /** The spans of one trace, earliest first, or null when it is not (or no longer) kept. */
    public List<SpanRecord> trace(String traceId) {
        List<SpanRecord> spans;
        synchronized (traces) {
            Trace t = traces.get(traceId);
            if (t == null) return null;
            spans = new ArrayList<>(t.spans);
        }
        spans.sort(Comparator.comparingLong(SpanRecord::startEpochNanos));
        return spans;
    }

    /** The newest {@code limit} traces (by their first span's start), newest first. */
    public List<Summary> list(int limit) {
        List<List<SpanRecord>> copies = new ArrayList<>();
        synchronized (traces) {
            for (Trace t : traces.values()) copies.add(new ArrayList<>(t.spans));
        }
        List<Summary> out = new ArrayList<>(copies.size());
        for (List<SpanRecord> spans : copies) out.add(summary(spans));
        out.sort(Comparator.comparingLong(Summary::startEpochMillis).reversed());
        return out.size() > limit ? List.copyOf(out.subList(0, Math.max(0, limit))) : out;
    }

    /**
     * The root is the span without a parent (the trace began here), else the earliest span whose parent is
     * not among the trace's spans (the caller did not report: an app, a client outside the mesh).
     */
    static Summary summary(List<SpanRecord> spans) {
        Set<String> ids = new LinkedHashSet<>();
        for (SpanRecord s : spans) ids.add(s.spanId());
        SpanRecord root = null;
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        boolean error = false;
        for (SpanRecord s : spans) {
            start = Math.min(start, s.startEpochNanos());
            end = Math.max(end, s.endEpochNanos());
            error |= s.status() == SpanRecord.Status.ERROR;
            boolean top = s.parentSpanId() == null || !ids.contains(s.parentSpanId());
            if (top && (root == null || rank(s) < rank(root) || rank(s) == rank(root) && s.startEpochNanos() < root.startEpochNanos())) {
                root = s;
            }
        }
        List<SpanRecord> byStart = new ArrayList<>(spans);
        byStart.sort(Comparator.comparingLong(SpanRecord::startEpochNanos));
        // the root's service first, then the others by their first span's start (spans of separate processes carry
        // separate clocks: a callee's span may seem to start before its caller's)
        Set<String> services = new LinkedHashSet<>();
        services.add(root.service());
        for (SpanRecord s : byStart) services.add(s.service());
        return new Summary(spans.get(0).traceId(), root.name(), root.service(), start / 1_000_000,
                Math.max(0, end - start) / 1_000 / 1_000.0, spans.size(), List.copyOf(services), error);
    }

    /** A true root (no parent) before a span whose parent did not report. */
    private static int rank(SpanRecord s) {
        return s.parentSpanId() == null ? 0 : 1;
    }

    /** For tests and the JSON view: how many traces are held. */
    public int size() {
        synchronized (traces) {
            return traces.size();
        }
    }
}
