package io.strait.proxy.dashboard;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last minute of request metrics, in memory: a thread of its own reads the Prometheus registry once a
 * second ({@link TrafficSample}) and keeps the last {@link #SAMPLES} readings. Nothing is added to the request
 * path: the counters and histograms it reads are the ones {@code /metrics} exposes.
 *
 * <p>A reading costs about 0.1 ms of CPU with 10 routes and 6 ms with 1,000 (docs/dashboard.md). While readings
 * are cheaper than {@link #CHEAP_NANOS} the history is always kept, so it is there when someone opens the
 * dashboard; above that, readings are taken only while the dashboard was looked at in the last
 * {@link #VIEWED_RECENTLY_MILLIS}, and the history starts again from the first look.
 */
final class MetricsHistory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsHistory.class);
    /** One reading a second: the resolution of the dashboard's charts, as Linkerd viz and Traefik refresh. */
    static final long INTERVAL_MILLIS = 1000;
    /** 61 readings make 60 one-second intervals: the minute of history the dashboard draws. */
    static final int SAMPLES = 61;
    /** A reading under 1 ms of CPU a second (0.1% of a core) is kept up always. */
    static final long CHEAP_NANOS = 1_000_000;
    /** A costlier one runs only while someone has looked at the dashboard in the last 5 minutes. */
    static final long VIEWED_RECENTLY_MILLIS = 5 * 60 * 1000;
    /** Readings whose cost is known before any is skipped. */
    static final int COST_READINGS = 30;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private final PrometheusRegistry registry;
    private final Clock clock;
    private final ArrayDeque<TrafficSample> samples = new ArrayDeque<>(SAMPLES);
    private final long cheapNanos;
    private ScheduledExecutorService sampler;
    /** When the dashboard was last read (clock millis). */
    private volatile long viewedAt = Long.MIN_VALUE / 2;
    /**
     * The CPU time of the last {@link #COST_READINGS} readings (or their wall time where the JVM cannot tell); their
     * least is the cost, which discounts the first ones (classes loading, code not yet compiled) and a pause.
     */
    private final long[] costs = new long[COST_READINGS];
    private int readings;
    /** Whether readings were skipped since the last one: the next one starts the history again. */
    private boolean paused;

    MetricsHistory(PrometheusRegistry registry, Clock clock) {
        this(registry, clock, CHEAP_NANOS);
    }

    MetricsHistory(PrometheusRegistry registry, Clock clock, long cheapNanos) {
        this.registry = registry;
        this.clock = clock;
        this.cheapNanos = cheapNanos;
    }

    /** Starts reading once a second on a daemon thread {@code strait-dashboard}. */
    static MetricsHistory start(PrometheusRegistry registry) {
        MetricsHistory h = new MetricsHistory(registry, Clock.systemUTC());
        h.sampler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("strait-dashboard").daemon().factory());
        h.sampler.scheduleAtFixedRate(h::tickQuietly, 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return h;
    }

    /** Someone reads the dashboard: readings go on (or start again) for the next few minutes. */
    void viewed() {
        viewedAt = clock.millis();
    }

    /** The sampler's tick: a reading, unless readings are costly and nobody looked lately. */
    void tick() {
        boolean watched = clock.millis() - viewedAt < VIEWED_RECENTLY_MILLIS;
        if (!watched && costly()) {
            paused = true;
            return;
        }
        if (paused) {
            synchronized (samples) {
                samples.clear(); // a gap in the readings: the minute starts again
            }
            paused = false;
        }
        boolean cpu = CPU.isCurrentThreadCpuTimeSupported();
        long start = cpu ? CPU.getCurrentThreadCpuTime() : System.nanoTime();
        sample();
        costs[readings++ % COST_READINGS] = (cpu ? CPU.getCurrentThreadCpuTime() : System.nanoTime()) - start;
    }

    private boolean costly() {
        if (readings < COST_READINGS) return false;
        long least = Long.MAX_VALUE;
        for (long c : costs) least = Math.min(least, c);
        return least > cheapNanos;
    }

    /** Takes one reading now. */
    void sample() {
        TrafficSample s = TrafficSample.read(registry, clock.millis());
        synchronized (samples) {
            if (samples.size() == SAMPLES) samples.removeFirst();
            samples.addLast(s);
        }
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) { // a failing reading must not end the schedule
            log.warn("dashboard: reading the metrics failed: {}", e.toString());
        }
    }

    /** The readings kept, oldest first. */
    List<TrafficSample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() {
        if (sampler != null) sampler.shutdownNow();
    }
}
