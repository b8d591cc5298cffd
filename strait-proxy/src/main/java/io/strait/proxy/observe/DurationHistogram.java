package io.strait.proxy.observe;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus classic histogram of durations with one label, observed twice for every exchange (the request's
 * duration by route, the upstream's by cluster). An observation is a bucket found by comparing nanoseconds with
 * fixed bounds and two adder increments; the Prometheus client's {@code Histogram} also converts to seconds, checks
 * for a scrape in progress through a capturing lambda and keeps a third adder (about three times the work, measured
 * on the proxy's response path: docs/benchmarks.md, "Engine before and after issue 13"). A scrape reads it as the
 * same {@link HistogramSnapshot} (buckets by {@code le}, {@code _count}, {@code _sum} in seconds). Thread-safe.
 */
public final class DurationHistogram implements Collector {
    private final String name;
    private final String help;
    private final String labelName;
    /** The upper bounds in seconds as a scrape shows them, {@code +Inf} last. */
    private final double[] upperBoundsSeconds;
    /** The finite bounds in nanoseconds: a duration goes into the first bucket whose bound it does not exceed. */
    private final long[] boundsNanos;
    private final ConcurrentHashMap<String, Child> children = new ConcurrentHashMap<>();

    /** {@code boundsSeconds}: the finite upper bounds, ascending ({@code +Inf} is added). */
    public DurationHistogram(String name, String help, String labelName, double[] boundsSeconds) {
        this.name = name;
        this.help = help;
        this.labelName = labelName;
        this.upperBoundsSeconds = new double[boundsSeconds.length + 1];
        this.boundsNanos = new long[boundsSeconds.length];
        for (int i = 0; i < boundsSeconds.length; i++) {
            if (i > 0 && boundsSeconds[i] <= boundsSeconds[i - 1]) throw new IllegalArgumentException("bounds must ascend");
            upperBoundsSeconds[i] = boundsSeconds[i];
            boundsNanos[i] = Math.round(boundsSeconds[i] * 1e9);
        }
        upperBoundsSeconds[boundsSeconds.length] = Double.POSITIVE_INFINITY;
    }

    /** The series of one label value, made on first use and kept. */
    public Child labelValue(String value) {
        return children.computeIfAbsent(value, v -> new Child(boundsNanos));
    }

    /** One series: its buckets' counts and the sum of what it observed. */
    public static final class Child {
        private final long[] bounds;
        private final LongAdder[] counts;
        private final LongAdder sumNanos = new LongAdder();

        private Child(long[] bounds) {
            this.bounds = bounds;
            this.counts = new LongAdder[bounds.length + 1];
            for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
        }

        /** Counts one duration (negative counts as 0). */
        public void observeNanos(long nanos) {
            long n = Math.max(0, nanos);
            long[] b = bounds;
            int i = 0;
            while (i < b.length && n > b[i]) i++;
            counts[i].increment();
            sumNanos.add(n);
        }
    }

    @Override
    public MetricSnapshot collect() {
        HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(name).help(help);
        children.forEach((value, c) -> {
            long[] counts = new long[c.counts.length];
            for (int i = 0; i < counts.length; i++) counts[i] = c.counts[i].sum();
            snapshot.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBoundsSeconds, counts))
                    .sum(c.sumNanos.sum() / 1e9)
                    .labels(Labels.of(labelName, value))
                    .build());
        });
        return snapshot.build();
    }

    @Override
    public String getPrometheusName() {
        return name;
    }

    @Override
    public MetricType getMetricType() {
        return MetricType.HISTOGRAM;
    }

    @Override
    public Set<String> getLabelNames() {
        return Set.of(labelName);
    }
}
