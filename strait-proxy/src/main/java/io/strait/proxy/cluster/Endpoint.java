package io.strait.proxy.cluster;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One resolved upstream address of a cluster, with the state that load balancing reads: health
 * (from active checks) and the number of requests in flight (for least-request).
 */
public final class Endpoint {
    private final InetSocketAddress address;
    private final String zone;
    private final Map<String, String> labels;
    private final int weight;
    private final String id;
    private final String hostname;
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean healthy = true;
    /** Set once by the connection pools: this endpoint's pool, so a request does not look it up by name. */
    private volatile Object poolAttachment;
    /** Consecutive check results: {@code > 0} passes in a row, {@code < 0} failures in a row. */
    private volatile int streak;
    private volatile HealthCheckResult lastCheck;
    /** Told when {@link #healthy(boolean)} changes the flag, so the owning cluster can rebalance. */
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

    public boolean healthy() {
        return healthy;
    }

    public void healthy(boolean healthy) {
        if (this.healthy == healthy) return;
        this.healthy = healthy;
        Runnable listener = healthListener;
        if (listener != null) listener.run();
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

    /** Takes over the health state of the same endpoint from a previous cluster generation. */
    void copyHealthFrom(Endpoint previous) {
        this.healthy = previous.healthy;
        this.streak = previous.streak;
        this.lastCheck = previous.lastCheck;
    }

    void healthListener(Runnable listener) {
        this.healthListener = listener;
    }

    @Override
    public String toString() {
        return id;
    }
}
