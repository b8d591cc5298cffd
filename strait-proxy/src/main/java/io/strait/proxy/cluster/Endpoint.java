package io.strait.proxy.cluster;

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
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean healthy = true;

    public Endpoint(InetSocketAddress address, String zone, Map<String, String> labels, int weight) {
        this.address = address;
        this.zone = zone;
        this.labels = Map.copyOf(labels);
        this.weight = weight;
        this.id = address.getHostString() + ":" + address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    /** {@code host:port} as configured or resolved: the stable key of this endpoint. */
    public String id() {
        return id;
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

    public boolean healthy() {
        return healthy;
    }

    public void healthy(boolean healthy) {
        this.healthy = healthy;
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

    @Override
    public String toString() {
        return id;
    }
}
