package io.strait.proxy.cluster;

import io.strait.proxy.transport.Transport;

import io.netty.channel.EventLoopGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.EndpointConfig;
import io.strait.proxy.cluster.lb.LbContext;
import io.strait.proxy.cluster.lb.LoadBalancer;
import io.strait.proxy.cluster.lb.LoadBalancers;
import io.strait.proxy.resilience.ClusterResilience;
import io.strait.proxy.tls.CertificateSource;
import io.strait.proxy.tls.UpstreamTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream service of a config generation: its endpoints (IP literals as configured, DNS names
 * resolved at start and every {@code dnsRefresh}), their active health checks and the load balancer
 * that picks one per request. A cluster built with a previous generation's cluster carries over the
 * health state of the endpoints they share, so a reload changes no endpoint's health. Its {@link
 * ClusterResilience} (circuit breakers, retry budget, outlier detection) carries over likewise.
 */
public final class Cluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    private final ClusterConfig config;
    private final EventLoopGroup group;
    private final LoadBalancer lb;
    /** The subsets routes asked for, each with its own balancer, updated with the endpoints. */
    private final ClusterSubsets subsets;
    private final ClusterResilience resilience;
    /** TLS to the endpoints, or null: plain TCP. Shared with the previous generation when its settings are the same. */
    private final UpstreamTls tls;
    /** Whether endpoints kept from the previous generation keep their ejections (outlier detection unchanged). */
    private final boolean carryEjections;
    /** Where DNS queries go: null for the system's resolv.conf (tests point it at a local server). */
    private final DnsServerAddressStreamProvider nameServers;
    private final Object lock = new Object();
    /** The DNS names among the configured endpoints, and the configured endpoint each belongs to. */
    private final List<String> names = new ArrayList<>();
    private final List<Integer> nameSlots = new ArrayList<>();
    /** Per configured endpoint: its current endpoints (one for an IP literal, one per address for a name). */
    private final List<List<Endpoint>> slots = new ArrayList<>();
    private final CompletableFuture<Void> firstResolution = new CompletableFuture<>();
    private volatile List<Endpoint> endpoints = List.of();
    /** The endpoints as configured or last set by {@link #replaceEndpoints}; guarded by lock. */
    private List<EndpointConfig> configured;
    /** Bumped when the names change: answers of a closed DNS discovery are ignored. Guarded by lock. */
    private int dnsGeneration;
    // guarded by lock
    private boolean started;
    private boolean closed;
    private HealthChecker checker;
    private DnsDiscovery dns;

    /**
     * @param localZone the zone this process runs in (for zone-aware balancing), may be null
     * @param previous the same cluster in the config generation being replaced, or null
     */
    public Cluster(ClusterConfig config, String localZone, EventLoopGroup group, Cluster previous) {
        this(config, localZone, group, previous, null, null);
    }

    /**
     * As {@link #Cluster(ClusterConfig, String, EventLoopGroup, Cluster)}; builds TLS contexts and reads
     * certificate files (never on an event loop).
     *
     * @param certificates the cluster's certificate source set by code, or null: the files of its {@code tls}
     * @throws IllegalArgumentException when a TLS file cannot be used (the message names it)
     */
    public Cluster(ClusterConfig config, String localZone, EventLoopGroup group, Cluster previous,
            CertificateSource certificates) {
        this(config, localZone, group, previous, null, certificates);
    }

    Cluster(ClusterConfig config, String localZone, EventLoopGroup group, Cluster previous,
            DnsServerAddressStreamProvider nameServers) {
        this(config, localZone, group, previous, nameServers, null);
    }

    private Cluster(ClusterConfig config, String localZone, EventLoopGroup group, Cluster previous,
            DnsServerAddressStreamProvider nameServers, CertificateSource certificates) {
        this.nameServers = nameServers;
        this.config = Objects.requireNonNull(config, "config");
        this.group = Objects.requireNonNull(group, "group");
        this.lb = LoadBalancers.create(config, localZone);
        this.subsets = new ClusterSubsets(this, localZone);
        this.carryEjections = previous != null && ClusterResilience.carriesEjections(config, previous.config());
        this.resilience = new ClusterResilience(config, this::endpoints, previous == null ? null : previous.resilience);
        this.tls = upstreamTls(config, previous, certificates); // last before the endpoints, which carry it
        List<Endpoint> previousEndpoints = previous == null ? List.of() : previous.endpoints();
        Map<String, Endpoint> before = new HashMap<>();
        previousEndpoints.forEach(e -> before.put(e.id(), e));
        this.configured = List.copyOf(config.endpoints());
        for (int i = 0; i < configured.size(); i++) {
            EndpointConfig ec = configured.get(i);
            String host = ec.address().host();
            InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
            if (ip != null) {
                slots.add(List.of(endpoint(new InetSocketAddress(ip, ec.address().port()), ec, null, before)));
            } else {
                names.add(host);
                nameSlots.add(i);
                // until the first lookup, a reload keeps the addresses the previous generation resolved
                slots.add(previousEndpoints.stream()
                        .filter(e -> host.equalsIgnoreCase(e.hostname()) && e.address().getPort() == ec.address().port())
                        .map(e -> endpoint(e.address(), ec, host, before))
                        .toList());
            }
        }
        if (names.isEmpty()) firstResolution.complete(null);
        synchronized (lock) {
            publish();
        }
    }

    public String name() {
        return config.name();
    }

    private static UpstreamTls upstreamTls(ClusterConfig config, Cluster previous, CertificateSource certificates) {
        if (config.tls() == null) return null;
        UpstreamTls old = previous == null ? null : previous.tls;
        if (old != null && old.serves(config.tls(), config.protocol(), certificates)) return old.retain();
        return UpstreamTls.create(config.name(), config.tls(), config.protocol(), certificates);
    }

    /** TLS to the endpoints, or null for plain TCP. */
    public UpstreamTls tls() {
        return tls;
    }

    public ClusterConfig config() {
        return config;
    }

    /** This generation's circuit breakers, retry budget and outlier detection. */
    public ClusterResilience resilience() {
        return resilience;
    }

    /** The current endpoints, healthy or not (an immutable list, replaced when DNS answers change). */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** A healthy endpoint for this request, or null when there is none. Never throws; safe on any thread. */
    public Endpoint select(LbContext ctx) {
        try {
            return lb.select(endpoints, ctx);
        } catch (RuntimeException e) {
            log.error("cluster {}: load balancer failed: {}", name(), e.toString());
            return null;
        }
    }

    /**
     * The endpoints whose labels contain all of {@code labels}, with a balancer of their own; the
     * whole cluster for none. Cached per label map: call once per route when building, not per request.
     */
    public ClusterSubset subset(Map<String, String> labels) {
        return subsets.get(labels);
    }

    /** Starts DNS resolution (when an endpoint is a name) and health checks (when configured). */
    public void start() {
        synchronized (lock) {
            if (started || closed) return;
            started = true;
            resilience.start(group);
            if (config.healthCheck() == null && names.isEmpty()) return;
            Transport transport = Transport.of(group);
            if (config.healthCheck() != null) {
                checker = new HealthChecker(name(), config.healthCheck(), group, transport, tls);
                checker.sync(endpoints);
            }
            if (!names.isEmpty()) startDns(transport);
        }
    }

    /**
     * Replaces the cluster's endpoints (a control plane's push, or any other endpoint source) without
     * rebuilding it: an endpoint kept (same address, zone, labels and weight) stays the same object, so its
     * health, ejection, load and connection pool carry on; one whose zone, labels or weight changed keeps its
     * health and ejection; new ones start healthy (and are checked); the others leave rotation at once.
     * DNS names among them are resolved as configured ones are. Safe on any thread; a later configuration
     * apply sets the cluster's endpoints from that configuration again.
     */
    public void replaceEndpoints(List<EndpointConfig> next) {
        synchronized (lock) {
            if (closed) return;
            Map<String, Endpoint> before = new HashMap<>();
            endpoints.forEach(e -> before.put(e.id(), e));
            List<String> oldNames = List.copyOf(names);
            configured = List.copyOf(next);
            names.clear();
            nameSlots.clear();
            slots.clear();
            for (int i = 0; i < configured.size(); i++) {
                EndpointConfig ec = configured.get(i);
                String host = ec.address().host();
                InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
                if (ip != null) {
                    slots.add(List.of(kept(new InetSocketAddress(ip, ec.address().port()), ec, null, before)));
                } else {
                    names.add(host);
                    nameSlots.add(i);
                    slots.add(before.values().stream()
                            .filter(e -> host.equalsIgnoreCase(e.hostname()) && e.address().getPort() == ec.address().port())
                            .map(e -> kept(e.address(), ec, host, before))
                            .toList());
                }
            }
            publish();
            if (!names.equals(oldNames)) {
                dnsGeneration++;
                if (dns != null) dns.close();
                dns = null;
                if (started && !names.isEmpty()) startDns(Transport.of(group));
            }
        }
    }

    /** The endpoint {@link #replaceEndpoints} keeps: the same object when nothing about it changed. */
    private Endpoint kept(InetSocketAddress address, EndpointConfig ec, String hostname, Map<String, Endpoint> before) {
        Endpoint e = new Endpoint(address, ec.zone(), labels(ec), ec.weight(), hostname);
        Endpoint old = before.get(e.id());
        if (old == null) return owned(e);
        if (Objects.equals(old.zone(), e.zone()) && old.labels().equals(e.labels()) && old.weight() == e.weight()
                && Objects.equals(old.hostname(), hostname)) {
            return old;
        }
        e.copyChecksFrom(old);
        e.copyEjectionFrom(old);
        return owned(e);
    }

    private void startDns(Transport transport) {
        Duration refresh = config.dnsRefresh() != null ? config.dnsRefresh() : ConfigLoader.DEFAULT_DNS_REFRESH;
        int generation = dnsGeneration;
        try {
            dns = new DnsDiscovery(name(), names, refresh, group.next(), transport, nameServers,
                    (index, addresses) -> resolved(generation, index, addresses));
        } catch (RuntimeException e) {
            log.error("cluster {}: cannot start DNS resolution of {}: {}", name(), names, e.toString());
            firstResolution.complete(null);
            return;
        }
        dns.firstRound().whenComplete((v, t) -> firstResolution.complete(null));
        dns.start();
    }

    /** Completes once every DNS name has been looked up once (at once when there is none), even if lookups failed. */
    public CompletableFuture<Void> whenResolved() {
        return firstResolution;
    }

    /** Every endpoint with its health, ejection, load and latest health check, for the admin output. */
    public List<EndpointStatus> describe() {
        return endpoints.stream().map(e -> EndpointStatus.of(e, resilience.ejection(e))).toList();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
        }
        if (dns != null) dns.close();
        if (checker != null) checker.close();
        if (tls != null) tls.close();
        resilience.close();
        firstResolution.complete(null);
    }

    /** A DNS answer for the {@code index}-th name: its endpoints become exactly these addresses. */
    private void resolved(int generation, int index, List<InetAddress> addresses) {
        synchronized (lock) {
            if (closed || generation != dnsGeneration) return;
            int slot = nameSlots.get(index);
            EndpointConfig ec = configured.get(slot);
            Map<String, Endpoint> current = new HashMap<>();
            slots.get(slot).forEach(e -> current.put(e.id(), e));
            Map<String, Endpoint> fresh = new LinkedHashMap<>();
            for (InetAddress address : addresses) {
                InetSocketAddress socket = new InetSocketAddress(withoutHostname(address), ec.address().port());
                Endpoint e = new Endpoint(socket, ec.zone(), labels(ec), ec.weight(), names.get(index));
                fresh.putIfAbsent(e.id(), current.containsKey(e.id()) ? current.get(e.id()) : owned(e));
            }
            if (fresh.keySet().equals(current.keySet())) return;
            log.info("cluster {}: {} resolved to {}", name(), names.get(index), fresh.keySet());
            slots.set(slot, List.copyOf(fresh.values()));
            publish();
        }
    }

    /** Makes the new endpoint list current: the balancer first, so that a select never sees a list it has not seen. */
    private void publish() {
        Set<String> seen = new LinkedHashSet<>();
        List<Endpoint> all = new ArrayList<>();
        for (List<Endpoint> slot : slots) {
            for (Endpoint e : slot) {
                if (seen.add(e.id())) all.add(e);
            }
        }
        List<Endpoint> list = List.copyOf(all);
        lb.endpointsChanged(list);
        subsets.endpointsChanged(list);
        endpoints = list;
        if (checker != null) checker.sync(list);
    }

    /** An endpoint's health flag changed: balancers that precompute over healthy endpoints rebuild. */
    private void healthChanged() {
        synchronized (lock) {
            lb.endpointsChanged(endpoints);
            subsets.healthChanged();
        }
    }

    private Endpoint endpoint(InetSocketAddress address, EndpointConfig ec, String hostname, Map<String, Endpoint> before) {
        Endpoint e = new Endpoint(address, ec.zone(), labels(ec), ec.weight(), hostname);
        Endpoint old = before.get(e.id());
        // without health checks nothing would ever make an unhealthy endpoint healthy again
        if (old != null && config.healthCheck() != null) e.copyChecksFrom(old);
        // likewise, only an unchanged outlier detection knows when to return an ejected endpoint
        if (old != null && carryEjections) e.copyEjectionFrom(old);
        return owned(e);
    }

    private Endpoint owned(Endpoint e) {
        e.healthListener(this::healthChanged);
        e.resilience(resilience);
        e.tls(tls);
        return e;
    }

    private static Map<String, String> labels(EndpointConfig ec) {
        return ec.labels() == null ? Map.of() : ec.labels();
    }

    /** The same address without the name it was resolved from, so that the endpoint's id is the IP. */
    private static InetAddress withoutHostname(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an IP address of illegal length", e);
        }
    }

    @Override
    public String toString() {
        return name() + endpoints.stream().map(Endpoint::id).collect(Collectors.joining(", ", "[", "]"));
    }
}
