package io.strait.proxy.cluster;

import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.resilience.Ejectable;
import io.strait.proxy.resilience.OutlierState;
import io.strait.proxy.tls.UpstreamTls;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One resolved upstream address of a cluster, with the state that load balancing reads: health
 * (it passes active checks and outlier detection has not ejected it) and the number of requests
 * in flight (for least-request).
 */
public final class Endpoint implements Ejectable {
    private final InetSocketAddress address;
    private final String zone;
    private final Map<String, String> labels;
    private final int weight;
    private final String id;
    private final String hostname;
    private final AtomicInteger active = new AtomicInteger();
    /** The active health checks' verdict (true without checks). */
    private volatile boolean passesChecks = true;
    /** Outlier detection took this endpoint out of load balancing for a while. */
    private volatile boolean ejected;
    /** The outlier detector's state for this endpoint (consecutive errors, ejection times); carried across reloads. */
    private volatile OutlierState outlierState;
    /** The circuit breakers of the cluster generation this endpoint belongs to, for the connection pools; may be null. */
    private volatile ClusterResilience resilience;
    /** TLS to this endpoint (its cluster's), or null for plain TCP. */
    private volatile UpstreamTls tls;
    /** Set once by the connection pools: this endpoint's pool, so a request does not look it up by name. */
    private volatile Object poolAttachment;
    /** Consecutive check results: {@code > 0} passes in a row, {@code < 0} failures in a row. */
    private volatile int streak;
    private volatile HealthCheckResult lastCheck;
    /** Told when {@link #healthy(boolean)} or {@link #ejected(boolean)} changes a flag, so the owning cluster can rebalance. */
    private volatile Runnable healthListener;

    public Endpoint(InetSocketAddress address, String zone, Map<String, String> labels, int weight) {
        this(address, zone, labels, weight, null);
    }

    /**
     * @param hostname the DNS name this address was resolved from, or null for an IP literal
     */
    public Endpoint(InetSocketAddress address, String zone, Map<String, String> labels, int weight, String hostname) {
        this.address = address;
        this.zone = zone;
        this.labels = Map.copyOf(labels);
        this.weight = weight;
        this.hostname = hostname;
        String host = address.getHostString();
        boolean v6 = address.getAddress() instanceof Inet6Address || host.indexOf(':') >= 0;
        this.id = (v6 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    /** {@code host:port} as configured or resolved ({@code [v6]:port} for IPv6): the stable key of this endpoint. */
    @Override
    public String id() {
        return id;
    }

    /** The configured DNS name this endpoint was resolved from, or null when configured as an IP literal. */
    public String hostname() {
        return hostname;
    }

    public String zone() {
        return zone;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public int weight() {
        return weight;
    }

    public Object poolAttachment() {
        return poolAttachment;
    }

    public void poolAttachment(Object pool) {
        this.poolAttachment = pool;
    }

    /** Whether load balancing may pick this endpoint: it passes health checks and is not ejected. */
    public boolean healthy() {
        return passesChecks && !ejected;
    }

    /** The active health checks' verdict (true when the cluster has no checks). */
    public boolean passesHealthChecks() {
        return passesChecks;
    }

    /** Sets the active health checks' verdict (the health checker's setter). */
    public void healthy(boolean passes) {
        if (this.passesChecks == passes) return;
        this.passesChecks = passes;
        fireHealthChanged();
    }

    /** Whether outlier detection has taken this endpoint out of load balancing. */
    @Override
    public boolean ejected() {
        return ejected;
    }

    /** Ejects the endpoint from load balancing or returns it (the outlier detector's setter). */
    @Override
    public void ejected(boolean ejected) {
        if (this.ejected == ejected) return;
        this.ejected = ejected;
        fireHealthChanged();
    }

    private void fireHealthChanged() {
        Runnable listener = healthListener;
        if (listener != null) listener.run();
    }

    /** The outlier detector's per-endpoint state, or null. */
    @Override
    public OutlierState outlierState() {
        return outlierState;
    }

    @Override
    public void outlierState(OutlierState state) {
        this.outlierState = state;
    }

    /** The circuit breakers of this endpoint's cluster, or null for an endpoint outside a cluster. */
    public ClusterResilience resilience() {
        return resilience;
    }

    /** TLS to this endpoint (its cluster's), or null for plain TCP. */
    public UpstreamTls tls() {
        return tls;
    }

    void tls(UpstreamTls t) {
        this.tls = t;
    }

    void resilience(ClusterResilience r) {
        this.resilience = r;
    }

    public int activeRequests() {
        return active.get();
    }

    public void requestStarted() {
        active.incrementAndGet();
    }

    public void requestFinished() {
        active.decrementAndGet();
    }

    /** The latest active health check of this endpoint, or null before the first one (or without checks). */
    public HealthCheckResult lastCheck() {
        return lastCheck;
    }

    int streak() {
        return streak;
    }

    void recordCheck(HealthCheckResult result, int streak) {
        this.lastCheck = result;
        this.streak = streak;
    }

    /** Takes over the health state (checks and ejection) of the same endpoint from a previous cluster generation. */
    void copyHealthFrom(Endpoint previous) {
        copyChecksFrom(previous);
        copyEjectionFrom(previous);
    }

    /** Takes over the active health checks' verdict and history. */
    void copyChecksFrom(Endpoint previous) {
        this.passesChecks = previous.passesChecks;
        this.streak = previous.streak;
        this.lastCheck = previous.lastCheck;
    }

    /** Takes over the outlier detector's ejection and its per-endpoint state. */
    void copyEjectionFrom(Endpoint previous) {
        this.ejected = previous.ejected;
        this.outlierState = previous.outlierState;
    }

    void healthListener(Runnable listener) {
        this.healthListener = listener;
    }

    @Override
    public String toString() {
        return id;
    }
}
