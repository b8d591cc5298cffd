package io.strait.mesh.telemetry;

import java.util.concurrent.atomic.LongAdder;

/**
 * The calls of one caller (principal, and whether over mutual TLS) to this workload since the last report: errors
 * and a latency histogram whose counts sum to the requests. Adders, so that event loops record without contention
 * and the reporter drains without a lock.
 */
public final class EdgeStats {
    private final LongAdder errors = new LongAdder();
    private final LongAdder[] buckets = new LongAdder[LatencyBuckets.COUNT];

    EdgeStats() {
        for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
    }

    /** One call in latency bucket {@code bucket}, an error or not. The bucket first: see {@link #drain}. */
    void record(int bucket, boolean error) {
        buckets[bucket].increment();
        if (error) errors.increment();
    }

    /**
     * What was recorded since the previous drain. Errors are taken before the buckets and recorded after them, so
     * a call recorded meanwhile is never an error without its request: errors never exceed requests.
     */
    Drained drain() {
        long e = errors.sumThenReset();
        long[] counts = new long[buckets.length];
        long requests = 0;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sumThenReset();
            requests += counts[i];
        }
        return new Drained(requests, e, counts);
    }

    /** One drain: requests (the sum of {@code buckets}), errors, and the histogram's counts. */
    public record Drained(long requests, long errors, long[] buckets) {}
}
