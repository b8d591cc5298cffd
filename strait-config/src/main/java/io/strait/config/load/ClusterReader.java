package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.*;
import static io.strait.config.load.ConfigReader.address;
import static io.strait.config.load.ConfigReader.positive;

import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.ClusterConfig.ZoneAware;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HealthCheckConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.MeshConfig;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.PoolConfig;
import io.strait.config.model.UpstreamTlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code clusters}: endpoints, load balancing, pool, health checking, circuit breaking and outlier
 * detection of each upstream service.
 */
final class ClusterReader {
    /** An HTTP token (RFC 9110): what header and cookie names are made of. */
    static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Node root;
    private final Errors errors;
    private final boolean processHasZone;
    private final TlsReader tls;
    /** The top-level mesh section, or null (none, or one with errors). */
    private final MeshConfig mesh;
    /** Whether the file has a top-level mesh section (with errors or not). */
    private final boolean meshGiven;

    ClusterReader(Node root, boolean processHasZone, TlsReader tls, MeshConfig mesh, boolean meshGiven) {
        this.root = root;
        this.errors = root.errors();
        this.processHasZone = processHasZone;
        this.tls = tls;
        this.mesh = mesh;
        this.meshGiven = meshGiven;
    }

    /** The clusters in file order; broken ones are left out (their errors are reported). */
    Map<String, ClusterConfig> read() {
        Map<String, ClusterConfig> out = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : root.namedObjects("clusters").entrySet()) {
            String name = e.getKey();
            Node n = e.getValue();
            if (!ConfigReader.NAME.matcher(name).matches()) errors.add(n.path(), ConfigReader.NAME_RULE);
            int lbErrors = errors.size();
            LoadBalancerKind lb = n.enumValue("loadBalancer", LoadBalancerKind.class, DEFAULT_LOAD_BALANCER,
                    s -> Names.parse(LoadBalancerKind.class, s));
            boolean lbKnown = errors.size() == lbErrors;
            ClusterConfig.MeshService meshService = MeshReader.cluster(n, mesh, meshGiven);
            List<EndpointConfig> endpoints = meshService != null ? meshEndpoints(n) : endpoints(n, lb == LoadBalancerKind.ZONE_AWARE);
            HashOn hashOn = hashOn(n, lb, lbKnown);
            ZoneAware za = zoneAware(n, lb, lbKnown);
            UpstreamProtocol protocol = n.enumValue("protocol", UpstreamProtocol.class, DEFAULT_UPSTREAM_PROTOCOL,
                    s -> Names.parse(UpstreamProtocol.class, s));
            PoolConfig pool = pool(n.object("pool"));
            HealthCheckConfig hc = healthCheck(n.object("healthCheck"));
            Duration dns = positive(n, "dnsRefresh", DEFAULT_DNS_REFRESH);
            CircuitBreakerConfig breaker = ResilienceReader.circuitBreaker(n.object("circuitBreaker"));
            OutlierDetectionConfig outliers = ResilienceReader.outlierDetection(n.object("outlierDetection"));
            UpstreamTlsConfig upstreamTls = meshService != null ? meshTls(n, protocol) : new UpstreamTlsReader(tls).read(n, protocol);
            n.finish();
            out.put(name, new ClusterConfig(name, List.copyOf(endpoints), lb, hashOn, za, protocol, pool, hc, dns,
                    breaker, outliers, upstreamTls, meshService));
        }
        return out;
    }

    /** A mesh service's cluster: its endpoints are the control plane's, so the file gives none. */
    private static List<EndpointConfig> meshEndpoints(Node n) {
        if (n.present("endpoints")) {
            n.error("endpoints", "a cluster with mesh takes its endpoints from the control plane: leave endpoints out (or mesh, to give them)");
        }
        return List.of();
    }

    /** A mesh service's cluster: its TLS is the mesh's mutual TLS with the gateway's SVID, so the file gives none. */
    private static UpstreamTlsConfig meshTls(Node n, UpstreamProtocol protocol) {
        if (protocol == UpstreamProtocol.H2C) n.error("protocol", ClusterRules.MESH_H2C);
        if (n.present("tls")) {
            n.error("tls", "a cluster with mesh uses the mesh's mutual TLS (the gateway's SVID, the mesh's trust bundle, the "
                    + "service's SPIFFE IDs): leave tls out (or mesh)");
        }
        return null;
    }

    private List<EndpointConfig> endpoints(Node n, boolean zoneAware) {
        List<EndpointConfig> endpoints = new ArrayList<>();
        int before = errors.size();
        if (!n.has("endpoints")) {
            n.error("endpoints", "is required: list at least one {address: host:port}");
            n.skip("endpoints");
            return endpoints;
        }
        List<Node> eps = n.objects("endpoints");
        if (eps.isEmpty() && errors.size() == before) n.error("endpoints", "must list at least one endpoint");
        for (Node ep : eps) {
            HostPort a = address(ep, "address", null);
            if (!ep.has("address")) ep.error("address", "is required");
            if (a != null && a.port() == 0) ep.error("address", "port must be 1-65535");
            String zone = ep.string("zone", null);
            if (zoneAware && zone == null) ep.error("zone", "is required for zone-aware load balancing");
            Map<String, String> labels = ep.stringMap("labels");
            int weight = ep.integer("weight", DEFAULT_ENDPOINT_WEIGHT, 1, MAX_ENDPOINT_WEIGHT);
            ep.finish();
            if (a != null) endpoints.add(new EndpointConfig(a, zone, Map.copyOf(labels), weight));
        }
        return endpoints;
    }

    private HashOn hashOn(Node n, LoadBalancerKind lb, boolean lbKnown) {
        Node h = n.object("hashOn");
        if (h == null) {
            if (lb == LoadBalancerKind.RING_HASH && !n.has("hashOn")) {
                n.error("hashOn", "is required for ring-hash: one of header, cookie or sourceIp");
            }
            return null;
        }
        if (lbKnown && lb != LoadBalancerKind.RING_HASH) n.error("hashOn", "only applies to loadBalancer: ring-hash");
        return hashKey(h);
    }

    /** A hash key object: exactly one of {@code header}, {@code cookie} or {@code sourceIp: true} (also a split's stickyOn). */
    static HashOn hashKey(Node h) {
        Errors errors = h.errors();
        String header = h.string("header", null);
        String cookie = h.string("cookie", null);
        boolean ip = h.bool("sourceIp", false);
        HashOn key = new HashOn(header == null ? null : header.toLowerCase(Locale.ROOT), cookie, ip);
        new ClusterRules(new Check(errors), null).hashKey(h.path(), key); // the validator's rule, where the reader is
        h.finish();
        return key;
    }

    private ZoneAware zoneAware(Node n, LoadBalancerKind lb, boolean lbKnown) {
        ZoneAware za = null;
        Node zn = n.object("zoneAware");
        if (zn != null) {
            if (lbKnown && lb != LoadBalancerKind.ZONE_AWARE) n.error("zoneAware", "only applies to loadBalancer: zone-aware");
            za = new ZoneAware(zn.integer("minHealthyPercent", DEFAULT_ZONE_MIN_HEALTHY_PERCENT, 0, 100));
            zn.finish();
        }
        if (lb == LoadBalancerKind.ZONE_AWARE) {
            if (za == null) za = new ZoneAware(DEFAULT_ZONE_MIN_HEALTHY_PERCENT);
            if (!processHasZone) n.error("loadBalancer", "zone-aware needs the top-level 'zone' of this process");
        }
        return za;
    }

    private static PoolConfig pool(Node n) {
        if (n == null) {
            return new PoolConfig(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_REQUESTS, DEFAULT_POOL_IDLE_TIMEOUT,
                    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_REQUESTS_PER_CONNECTION);
        }
        int max = n.integer("maxConnections", DEFAULT_MAX_CONNECTIONS, 1, 1_000_000);
        int pending = n.integer("maxPendingRequests", DEFAULT_MAX_PENDING_REQUESTS, 0, 1_000_000);
        Duration idle = positive(n, "idleTimeout", DEFAULT_POOL_IDLE_TIMEOUT);
        Duration connect = positive(n, "connectTimeout", DEFAULT_CONNECT_TIMEOUT);
        int perConn = n.integer("maxRequestsPerConnection", DEFAULT_MAX_REQUESTS_PER_CONNECTION, 0, Integer.MAX_VALUE);
        n.finish();
        return new PoolConfig(max, pending, idle, connect, perConn);
    }

    private static HealthCheckConfig healthCheck(Node n) {
        if (n == null) return null;
        String path = n.requiredString("path");
        if (path != null && !path.startsWith("/")) n.error("path", "must start with '/'");
        if (path != null && path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            n.error("path", "must not contain spaces or control characters");
        }
        String host = n.string("host", null);
        if (host != null && (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            n.error("host", "must be a host name without spaces or control characters");
        }
        Duration interval = positive(n, "interval", DEFAULT_HEALTH_INTERVAL);
        Duration timeout = positive(n, "timeout", DEFAULT_HEALTH_TIMEOUT);
        int healthy = n.integer("healthyThreshold", DEFAULT_HEALTHY_THRESHOLD, 1, MAX_HEALTH_THRESHOLD);
        int unhealthy = n.integer("unhealthyThreshold", DEFAULT_UNHEALTHY_THRESHOLD, 1, MAX_HEALTH_THRESHOLD);
        n.finish();
        return new HealthCheckConfig(path, host, interval, timeout, healthy, unhealthy);
    }
}
