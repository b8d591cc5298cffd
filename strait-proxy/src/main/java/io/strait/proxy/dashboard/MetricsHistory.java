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
 * path: the counters and histograms it reads are the ones {@code /metrics} exposes. One reading costs a few
 * microseconds per route (see docs/dashboard.md for the measurement), so it runs whether or not anyone looks.
 */
final class MetricsHistory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsHistory.class);
    /** One reading a second: the resolution of the dashboard's charts, as Linkerd viz and Traefik refresh. */
    static final long INTERVAL_MILLIS = 1000;
    /** 61 readings make 60 one-second intervals: the minute of history the dashboard draws. */
    static final int SAMPLES = 61;

    private final PrometheusRegistry registry;
    private final Clock clock;
    private final ArrayDeque<TrafficSample> samples = new ArrayDeque<>(SAMPLES);
    private ScheduledExecutorService sampler;

    MetricsHistory(PrometheusRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** Starts reading once a second on a daemon thread {@code strait-dashboard}. */
    static MetricsHistory start(PrometheusRegistry registry) {
        MetricsHistory h = new MetricsHistory(registry, Clock.systemUTC());
        h.sampler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("strait-dashboard").daemon().factory());
        h.sampler.scheduleAtFixedRate(h::sampleQuietly, 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return h;
    }

    /** Takes one reading now (the sampler's tick; tests call it directly). */
    void sample() {
        TrafficSample s = TrafficSample.read(registry, clock.millis());
        synchronized (samples) {
            if (samples.size() == SAMPLES) samples.removeFirst();
            samples.addLast(s);
        }
    }

    private void sampleQuietly() {
        try {
            sample();
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
