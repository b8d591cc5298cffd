package io.strait.proxy.resilience;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.strait.config.model.OutlierDetectionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive health of one cluster generation's endpoints (Envoy's outlier detection, with Istio's
 * knobs). Per endpoint it counts consecutive 5xx errors (every failed attempt) and consecutive
 * gateway errors (502/503/504, refused, reset, timed out; a plain 5xx breaks that row); a success
 * resets both. Reaching a threshold ejects the endpoint at once for {@code baseEjectionTime} times
 * the number of times it has been ejected (at most {@link #MAX_EJECTION_TIME}), unless more than
 * {@code maxEjectionPercent} of the endpoints would then be ejected (one is always allowed). A
 * refused ejection resets the counters, so the endpoint needs a whole new row of errors to try
 * again. Every {@code interval} a timer returns endpoints whose time is up and lowers the ejection
 * multiplier of endpoints that stayed in for a whole interval.
 *
 * <p>The per-endpoint state ({@link OutlierState}) hangs on the endpoint ({@link Ejectable#outlierState()}),
 * so a reload that keeps the configuration carries it over with the endpoint. Thread-safe: results
 * are atomic increments; ejections and the timer take a lock.
 */
public final class OutlierDetector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

    /** Envoy's default max_ejection_time: an endpoint ejected again and again still gets a retry every 5 minutes. */
    static final Duration MAX_EJECTION_TIME = Duration.ofSeconds(300);
    /** The shortest timer period: a config of 0 would spin a loop. */
    private static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String cluster;
    private final int consecutive5xx;
    private final int consecutiveGateway;
    private final long intervalNanos;
    private final long baseEjectionNanos;
    private final int maxEjectionPercent;
    private final Supplier<? extends List<? extends Ejectable>> endpoints;
    private final LongSupplier clock;
    private final LongAdder ejectionsTotal;
    private final Object lock = new Object();
    // guarded by lock
    private ScheduledFuture<?> timer;
    private volatile boolean closed;

    /**
     * @param endpoints the cluster's current endpoints (read at each decision)
     * @param ejectionsTotal counts ejections (shared across generations, for metrics)
     * @param clock monotonic nanoseconds
     */
    public OutlierDetector(String cluster, OutlierDetectionConfig config, Supplier<? extends List<? extends Ejectable>> endpoints,
                           LongAdder ejectionsTotal, LongSupplier clock) {
        this.cluster = cluster;
        this.consecutive5xx = Math.max(0, config.consecutive5xxErrors());
        this.consecutiveGateway = Math.max(0, config.consecutiveGatewayErrors());
        this.intervalNanos = Math.max(MIN_INTERVAL_NANOS, nanos(config.interval(), OutlierDetectionConfig.DEFAULT_INTERVAL));
        this.baseEjectionNanos = nanos(config.baseEjectionTime(), OutlierDetectionConfig.DEFAULT_BASE_EJECTION_TIME);
        this.maxEjectionPercent = config.maxEjectionPercent();
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.ejectionsTotal = Objects.requireNonNull(ejectionsTotal, "ejectionsTotal");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Starts the timer that returns ejected endpoints, on one event loop of {@code group}. */
    public void start(EventLoopGroup group) {
        synchronized (lock) {
            if (closed || timer != null) return;
            timer = group.next().scheduleAtFixedRate(this::tickSafely, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The result of one attempt to {@code endpoint} (null: no endpoint was chosen; ignored). */
    public void onResult(Ejectable endpoint, AttemptResult result) {
        if (endpoint == null || result == null || result == AttemptResult.CANCELLED || closed) return;
        OutlierState s = state(endpoint);
        if (result == AttemptResult.OK) {
            // plain reads first: the common case is a run of successes, which then writes nothing
            if (s.errors5xx.get() != 0) s.errors5xx.set(0);
            if (s.gatewayErrors.get() != 0) s.gatewayErrors.set(0);
            return;
        }
        int n5 = s.errors5xx.incrementAndGet();
        int ng;
        if (result.gatewayError()) {
            ng = s.gatewayErrors.incrementAndGet();
        } else {
            ng = 0;
            if (s.gatewayErrors.get() != 0) s.gatewayErrors.set(0);
        }
        if (consecutive5xx > 0 && n5 >= consecutive5xx) {
            eject(endpoint, s, n5 + " consecutive 5xx errors");
        } else if (consecutiveGateway > 0 && ng >= consecutiveGateway) {
            eject(endpoint, s, ng + " consecutive gateway errors");
        }
    }

    /** How outlier detection sees {@code endpoint} now. */
    public EjectionStatus status(Ejectable endpoint) {
        if (!(endpoint.outlierState() instanceof OutlierState s)) return EjectionStatus.NONE;
        boolean ejected = endpoint.ejected();
        Instant until = null;
        if (ejected) until = Instant.now().plusNanos(Math.max(0, s.ejectedUntilNanos - clock.getAsLong()));
        return new EjectionStatus(ejected, s.ejections, until);
    }

    /** The current ejection multiplier of {@code endpoint} (ejections, decayed by one per interval it stayed in). */
    int multiplier(Ejectable endpoint) {
        return endpoint.outlierState() instanceof OutlierState s ? s.multiplier : 0;
    }

    /** The timer's work, run every interval: returns endpoints whose time is up, decays multipliers. */
    void tick() {
        long now = clock.getAsLong();
        synchronized (lock) {
            if (closed) return;
            for (Ejectable e : endpoints.get()) {
                if (!(e.outlierState() instanceof OutlierState s)) continue;
                if (e.ejected()) {
                    if (now - s.ejectedUntilNanos >= 0) {
                        s.returnedAtNanos = now;
                        e.ejected(false);
                        log.info("cluster {}: endpoint {} returns to load balancing after its ejection", cluster, e.id());
                    }
                } else if (s.multiplier > 0 && now - s.returnedAtNanos >= intervalNanos) {
                    s.multiplier--;
                    s.returnedAtNanos = now; // one step per whole interval in
                }
            }
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.error("cluster {}: outlier detection run failed: {}", cluster, e.toString());
        }
    }

    private void eject(Ejectable endpoint, OutlierState s, String reason) {
        synchronized (lock) {
            // the row that led here is spent, whatever the outcome
            s.errors5xx.set(0);
            s.gatewayErrors.set(0);
            if (closed || endpoint.ejected()) return;
            List<? extends Ejectable> all = endpoints.get();
            if (!all.contains(endpoint)) return; // gone from the cluster meanwhile (DNS)
            int ejected = 0;
            for (Ejectable e : all) if (e.ejected()) ejected++;
            if (ejected > 0 && (long) (ejected + 1) * 100 > (long) maxEjectionPercent * all.size()) {
                log.warn("cluster {}: endpoint {} not ejected ({}): {} of {} endpoints are ejected already (maxEjectionPercent {})",
                        cluster, endpoint.id(), reason, ejected, all.size(), maxEjectionPercent);
                return;
            }
            long now = clock.getAsLong();
            s.multiplier++;
            s.ejections++;
            long time = ejectionNanos(s.multiplier);
            s.ejectedUntilNanos = now + time;
            ejectionsTotal.increment();
            // inside the lock, so a concurrent ejection counts this one
            endpoint.ejected(true);
            log.warn("cluster {}: endpoint {} ejected for {} ms ({}, ejection #{})",
                    cluster, endpoint.id(), TimeUnit.NANOSECONDS.toMillis(time), reason, s.ejections);
        }
    }

    /** baseEjectionTime x multiplier, capped, without overflow. */
    private long ejectionNanos(int multiplier) {
        long max = MAX_EJECTION_TIME.toNanos();
        if (baseEjectionNanos <= 0) return 0;
        if (multiplier > max / baseEjectionNanos) return max;
        return Math.min(max, baseEjectionNanos * multiplier);
    }

    private OutlierState state(Ejectable endpoint) {
        if (endpoint.outlierState() instanceof OutlierState s) return s;
        synchronized (lock) {
            if (endpoint.outlierState() instanceof OutlierState s) return s;
            OutlierState s = new OutlierState();
            endpoint.outlierState(s);
            return s;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (timer != null) timer.cancel(false);
            timer = null;
        }
    }

    private static long nanos(Duration d, Duration fallback) {
        Duration v = d == null || d.isNegative() ? fallback : d;
        try {
            return v.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** One endpoint's counters and ejection record. */
}
