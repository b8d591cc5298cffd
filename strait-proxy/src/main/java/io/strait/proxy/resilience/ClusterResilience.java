package io.strait.proxy.resilience;

import io.netty.channel.EventLoopGroup;
import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.RetryPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breakers, retry budget and outlier detection of one cluster generation. Every
 * {@code try*} that says yes must be paired with its {@code *Done} on the same instance; a no is
 * counted as an overflow of its kind and needs no pairing.
 *
 * <p>Counts in flight (requests, retries, connections, pending requests) and the overflow and
 * ejection totals are shared by all generations of a cluster of the same name, since a request
 * admitted before a reload still runs after it. The failure-rate breaker carries over when its
 * settings did not change, and ejections carry over (on the endpoints) when outlier detection's
 * did not. Thread-safe; a cluster that configures nothing pays one atomic add per request (for the
 * retry budget) and nothing per attempt.
 */
public final class ClusterResilience implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterResilience.class);

    /** The answer to {@link #tryRequest()} and {@link #tryAttempt()}. */
    public enum Admission { OK, MAX_REQUESTS, BREAKER_OPEN }

    private static final Overflow[] OVERFLOWS = Overflow.values();

    private final String cluster;
    private final CircuitBreakerConfig breakerConfig;
    private final OutlierDetectionConfig outlierConfig;
    private final int maxConnections;
    private final int maxPending;
    private final int maxRequests;
    private final int maxRetries;
    private final Counters counters;
    private final FailureRateBreaker breaker;
    private final OutlierDetector outliers;
    private final Supplier<? extends List<? extends Ejectable>> endpoints;

    /**
     * @param endpoints the cluster's current endpoints (for outlier detection)
     * @param previous the same cluster's resilience in the generation being replaced, or null
     */
    public ClusterResilience(ClusterConfig config, Supplier<? extends List<? extends Ejectable>> endpoints, ClusterResilience previous) {
        this(config, endpoints, previous, System::nanoTime);
    }

    ClusterResilience(ClusterConfig config, Supplier<? extends List<? extends Ejectable>> endpoints, ClusterResilience previous, LongSupplier clock) {
        this.cluster = config.name();
        this.endpoints = endpoints;
        this.breakerConfig = config.circuitBreaker();
        this.outlierConfig = config.outlierDetection();
        CircuitBreakerConfig cb = breakerConfig;
        this.maxConnections = cb == null ? 0 : Math.max(0, cb.maxConnections());
        this.maxPending = cb == null ? 0 : Math.max(0, cb.maxPendingRequests());
        this.maxRequests = cb == null ? 0 : Math.max(0, cb.maxRequests());
        this.maxRetries = cb == null ? 0 : Math.max(0, cb.maxRetries());
        this.counters = previous != null ? previous.counters : new Counters();
        CircuitBreakerConfig.FailureRate rate = cb == null ? null : cb.failureRate();
        if (rate == null) {
            this.breaker = null;
        } else if (previous != null && previous.breaker != null && rate.equals(previous.breakerConfig.failureRate())) {
            this.breaker = previous.breaker;
        } else {
            this.breaker = new FailureRateBreaker(rate, this::breakerMoved, clock);
        }
        this.outliers = outlierConfig == null ? null
                : new OutlierDetector(cluster, outlierConfig, endpoints, counters.ejections, clock);
    }

    /** A resilience that limits nothing and detects nothing (for endpoints outside a cluster). */
    public static ClusterResilience unlimited(String name) {
        return new ClusterResilience(new ClusterConfig(name, List.of(), null, null, null, null, null, null, null),
                List::of, null);
    }

    /**
     * Whether a cluster built with {@code config} keeps the ejections of {@code previous}: outlier
     * detection is on and configured exactly as before.
     */
    public static boolean carriesEjections(ClusterConfig config, ClusterConfig previous) {
        return previous != null && config.outlierDetection() != null
                && config.outlierDetection().equals(previous.outlierDetection());
    }

    /** Starts outlier detection's timer on one loop of {@code group}. */
    public void start(EventLoopGroup group) {
        if (outliers != null) outliers.start(group);
    }

    // ---------------------------------------------------------------- requests

    /** Admits a request to the cluster (maxRequests); an OK must be followed by {@link #requestDone()}. */
    public Admission tryRequest() {
        int n = counters.requests.incrementAndGet();
        if (maxRequests > 0 && n > maxRequests) {
            counters.requests.decrementAndGet();
            overflow(Overflow.MAX_REQUESTS);
            return Admission.MAX_REQUESTS;
        }
        return Admission.OK;
    }

    public void requestDone() {
        counters.requests.decrementAndGet();
    }

    /**
     * Admits one attempt (the failure-rate breaker); an OK must be followed by {@link
     * #attemptDone}.
     */
    public Admission tryAttempt() {
        FailureRateBreaker b = breaker;
        if (b == null || b.tryAcquire()) return Admission.OK;
        overflow(Overflow.BREAKER_OPEN);
        return Admission.BREAKER_OPEN;
    }

    /**
     * How an attempt admitted by {@link #tryAttempt()} ended: feeds the breaker and outlier
     * detection. {@code endpoint} is null when none was chosen.
     */
    public void attemptDone(Ejectable endpoint, AttemptResult result) {
        if (result == null) return;
        if (breaker != null) breaker.onResult(result);
        if (outliers != null) outliers.onResult(endpoint, result);
    }

    /** How an attempt that did not go through {@link #tryAttempt()} ended: feeds outlier detection only. */
    public void observe(Ejectable endpoint, AttemptResult result) {
        if (outliers != null && result != null) outliers.onResult(endpoint, result);
    }

    /**
     * Admits a retry: retries in flight stay below {@code max(budgetMinRetries, budgetPercent% of
     * requests in flight)} and, when the cluster sets maxRetries, below it. A true must be followed
     * by {@link #retryDone()}.
     */
    public boolean tryRetry(RetryPolicy policy) {
        RetryPolicy p = policy != null ? policy : RetryPolicy.DEFAULT;
        long budget = Math.max(p.budgetMinRetries(), (long) p.budgetPercent() * counters.requests.get() / 100);
        int n = counters.retries.incrementAndGet();
        if (maxRetries > 0 && n > maxRetries) {
            counters.retries.decrementAndGet();
            overflow(Overflow.MAX_RETRIES);
            return false;
        }
        if (n > budget) {
            counters.retries.decrementAndGet();
            overflow(Overflow.BUDGET);
            return false;
        }
        return true;
    }

    public void retryDone() {
        counters.retries.decrementAndGet();
    }

    // ---------------------------------------------------------------- connection pools

    /** Whether a new upstream connection may be opened (maxConnections); a true needs {@link #connectionClosed()}. */
    public boolean tryConnection() {
        int n = counters.connections.incrementAndGet();
        if (maxConnections > 0 && n > maxConnections) {
            counters.connections.decrementAndGet();
            overflow(Overflow.MAX_CONNECTIONS);
            return false;
        }
        return true;
    }

    /**
     * Counts a connection opened past maxConnections because its pool had none (as Envoy does, so
     * requests waiting there are not stranded); needs {@link #connectionClosed()} too.
     */
    public void forceConnection() {
        counters.connections.incrementAndGet();
    }

    public void connectionClosed() {
        counters.connections.decrementAndGet();
    }

    /** Whether a request may wait for a connection (maxPendingRequests); a true needs {@link #pendingDone()}. */
    public boolean tryPending() {
        int n = counters.pending.incrementAndGet();
        if (maxPending > 0 && n > maxPending) {
            counters.pending.decrementAndGet();
            overflow(Overflow.MAX_PENDING);
            return false;
        }
        return true;
    }

    public void pendingDone() {
        counters.pending.decrementAndGet();
    }

    // ---------------------------------------------------------------- state, for admin and metrics

    public String cluster() {
        return cluster;
    }

    /** The failure-rate breaker, or null when the cluster has none. */
    public FailureRateBreaker breaker() {
        return breaker;
    }

    /** Whether outlier detection is on. */
    public boolean detectsOutliers() {
        return outliers != null;
    }

    public int requestsInFlight() {
        return counters.requests.get();
    }

    public int retriesInFlight() {
        return counters.retries.get();
    }

    public int connections() {
        return counters.connections.get();
    }

    public int pendingRequests() {
        return counters.pending.get();
    }

    /** How often {@code kind} turned something away. */
    public long overflows(Overflow kind) {
        return counters.overflows[kind.ordinal()].sum();
    }

    /** Endpoints ejected by outlier detection, in total. */
    public long ejectionsTotal() {
        return counters.ejections.sum();
    }

    /** {@code endpoint}'s ejection state ({@link EjectionStatus#NONE} without outlier detection). */
    public EjectionStatus ejection(Ejectable endpoint) {
        return outliers == null ? EjectionStatus.NONE : outliers.status(endpoint);
    }

    OutlierDetector outlierDetector() {
        return outliers;
    }

    /**
     * The {@code circuitBreaker} and {@code outlierDetection} objects of {@code GET /clusters}:
     * JSON-ready values (strings, numbers, booleans, maps, lists).
     */
    public Map<String, Object> describe() {
        Map<String, Object> cb = new LinkedHashMap<>();
        cb.put("state", breaker == null ? FailureRateBreaker.State.DISABLED : breaker.state().label());
        if (breaker != null) {
            double rate = breaker.failureRatePercent();
            cb.put("failureRatePercent", rate < 0 ? rate : Math.round(rate * 10) / 10.0);
            cb.put("calls", breaker.calls());
            cb.put("failures", breaker.failures());
            CircuitBreakerConfig.FailureRate fr = breakerConfig.failureRate();
            cb.put("thresholdPercent", fr.thresholdPercent());
            cb.put("minimumCalls", fr.minimumCalls());
        }
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("maxConnections", maxConnections);
        limits.put("maxPendingRequests", maxPending);
        limits.put("maxRequests", maxRequests);
        limits.put("maxRetries", maxRetries);
        cb.put("thresholds", limits);
        cb.put("requestsInFlight", requestsInFlight());
        cb.put("retriesInFlight", retriesInFlight());
        cb.put("connections", connections());
        cb.put("pendingRequests", pendingRequests());
        Map<String, Object> over = new LinkedHashMap<>();
        for (Overflow o : OVERFLOWS) over.put(o.label(), overflows(o));
        cb.put("overflows", over);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("circuitBreaker", cb);
        Map<String, Object> od = new LinkedHashMap<>();
        od.put("enabled", outliers != null);
        od.put("ejectionsTotal", ejectionsTotal());
        List<String> ejected = new ArrayList<>();
        for (Ejectable e : endpoints.get()) if (e.ejected()) ejected.add(e.id());
        od.put("ejected", ejected);
        m.put("outlierDetection", od);
        return m;
    }

    @Override
    public void close() {
        if (outliers != null) outliers.close();
    }

    private void overflow(Overflow kind) {
        counters.overflows[kind.ordinal()].increment();
    }

    private void breakerMoved(FailureRateBreaker.State from, FailureRateBreaker.State to) {
        if (to == FailureRateBreaker.State.OPEN) log.warn("cluster {}: circuit breaker {} -> OPEN", cluster, from);
        else log.info("cluster {}: circuit breaker {} -> {}", cluster, from, to);
    }

    @Override
    public String toString() {
        return "ClusterResilience[" + cluster + (breaker == null ? "" : ", " + breaker.state()) + "]";
    }

    /** What every generation of one cluster shares. */
    private static final class Counters {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger pending = new AtomicInteger();
        final LongAdder ejections = new LongAdder();
        final LongAdder[] overflows = new LongAdder[OVERFLOWS.length];

        Counters() {
            for (int i = 0; i < overflows.length; i++) overflows[i] = new LongAdder();
        }
    }
}
