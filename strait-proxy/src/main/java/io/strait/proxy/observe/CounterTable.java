package io.strait.proxy.observe;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.function.IntFunction;

/**
 * The labelled children of one counter, by an int key that packs their label values, filled on first use. A
 * lookup takes no lock and allocates nothing: an open-addressing table of immutable entries, replaced whole
 * (copy on write) when a key is added, which happens once per key. The Prometheus client's own
 * {@code labelValues(...)} would cost a list and a hash-map lookup per call, hence this table on the request
 * path. Thread-safe.
 */
final class CounterTable {
    private record Entry(int key, CounterDataPoint point) {}

    private final IntFunction<CounterDataPoint> resolve;
    private volatile Entry[] entries = new Entry[16];
    /** Entries in the table; guarded by {@code this}. */
    private int size;

    /** {@code resolve} makes the child of a key seen for the first time (it may allocate and look up freely). */
    CounterTable(IntFunction<CounterDataPoint> resolve) {
        this.resolve = resolve;
    }

    CounterDataPoint get(int key) {
        Entry[] t = entries;
        int mask = t.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Entry e = t[i];
            if (e == null) return add(key);
            if (e.key == key) return e.point;
        }
    }

    /** How many children were made. */
    synchronized int size() {
        return size;
    }

    private synchronized CounterDataPoint add(int key) {
        Entry[] t = entries;
        int mask = t.length - 1;
        for (int i = slot(key, mask); t[i] != null; i = (i + 1) & mask) {
            if (t[i].key == key) return t[i].point; // added by another thread meanwhile
        }
        CounterDataPoint point = resolve.apply(key);
        // at most half full, so a probe ends soon at an empty slot
        Entry[] next = new Entry[(size + 1) * 2 > t.length ? t.length * 2 : t.length];
        for (Entry e : t) {
            if (e != null) put(next, e);
        }
        put(next, new Entry(key, point));
        size++;
        entries = next;
        return point;
    }

    private static void put(Entry[] t, Entry e) {
        int mask = t.length - 1;
        int i = slot(e.key, mask);
        while (t[i] != null) i = (i + 1) & mask;
        t[i] = e;
    }

    private static int slot(int key, int mask) {
        int h = key * 0x9E3779B9; // Fibonacci hashing: spreads the packed fields over the high bits
        return (h ^ (h >>> 16)) & mask;
    }
}
