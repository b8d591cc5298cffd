package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.MAX_ENDPOINT_WEIGHT;
import static io.strait.config.load.ConfigLoader.MAX_HEALTH_THRESHOLD;
import static io.strait.config.load.ConfigLoader.MIN_FAILURE_RATE_WINDOW;

import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HealthCheckConfig;
import io.strait.config.model.MeshConfig;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.PoolConfig;
import io.strait.config.model.UpstreamTlsConfig;
import java.util.List;
import java.util.Map;

/**
 * The model validator's rules for {@code clusters}: endpoints, load balancing, pool, health checks, circuit
 * breaking, outlier detection and upstream TLS settings, with the paths and words of {@link ClusterReader}.
 */
final class ClusterRules {
    /** A mesh service's cluster is always TLS. */
    static final String MESH_H2C = "h2c is HTTP/2 in clear text; a cluster with mesh is mutual TLS: use http1, or h2 for HTTP/2";

    private final Check check;
    private final ListenerRules tls;

    ClusterRules(Check check, ListenerRules tls) {
        this.check = check;
        this.tls = tls;
    }

    void clusters(Map<String, ClusterConfig> clusters, String processZone) {
        clusters(clusters, processZone, null);
    }

    /** {@code mesh}: the process's top-level mesh section, or null (then a cluster's mesh is an error). */
    void clusters(Map<String, ClusterConfig> clusters, String processZone, MeshConfig mesh) {
        for (Map.Entry<String, ClusterConfig> e : clusters.entrySet()) {
            String p = "clusters." + e.getKey();
            ClusterConfig c = e.getValue();
            if (e.getKey() == null || !ConfigReader.NAME.matcher(e.getKey()).matches()) check.error(p, ConfigReader.NAME_RULE);
            if (!check.required(p, c)) continue;
            if (e.getKey() != null && !e.getKey().equals(c.name())) {
                check.error(p + ".name", "must be the cluster's key '" + e.getKey() + "' (was '" + c.name() + "')");
            }
            boolean lbKnown = check.required(p + ".loadBalancer", c.loadBalancer());
            if (c.mesh() != null) {
                new MeshRules(check).cluster(p + ".mesh", c.mesh(), mesh);
                // the pushed ones: none before the first push, each with the zone its workload registered (if any)
                if (check.required(p + ".endpoints", c.endpoints())) endpointList(p + ".endpoints", c.endpoints(), false);
            } else {
                endpoints(p + ".endpoints", c.endpoints(), c.loadBalancer() == LoadBalancerKind.ZONE_AWARE);
            }
            if (c.hashOn() != null) {
                if (lbKnown && c.loadBalancer() != LoadBalancerKind.RING_HASH) {
                    check.error(p + ".hashOn", "only applies to loadBalancer: ring-hash");
                }
                hashKey(p + ".hashOn", c.hashOn());
            } else if (c.loadBalancer() == LoadBalancerKind.RING_HASH) {
                check.error(p + ".hashOn", "is required for ring-hash: one of header, cookie or sourceIp");
            }
            if (c.zoneAware() != null) {
                if (lbKnown && c.loadBalancer() != LoadBalancerKind.ZONE_AWARE) {
                    check.error(p + ".zoneAware", "only applies to loadBalancer: zone-aware");
                }
                check.range(p + ".zoneAware.minHealthyPercent", c.zoneAware().minHealthyPercent(), 0, 100);
            }
            if (c.loadBalancer() == LoadBalancerKind.ZONE_AWARE && processZone == null) {
                check.error(p + ".loadBalancer", "zone-aware needs the top-level 'zone' of this process");
            }
            if (check.required(p + ".protocol", c.protocol())) protocol(p, c.protocol(), c.tls(), c.mesh() != null);
            if (check.required(p + ".pool", c.pool())) pool(p + ".pool", c.pool());
            if (c.healthCheck() != null) healthCheck(p + ".healthCheck", c.healthCheck());
            check.positive(p + ".dnsRefresh", c.dnsRefresh());
            if (c.circuitBreaker() != null) circuitBreaker(p + ".circuitBreaker", c.circuitBreaker());
            if (c.outlierDetection() != null) outlierDetection(p + ".outlierDetection", c.outlierDetection());
            if (c.tls() != null) upstreamTls(p + ".tls", c.tls());
        }
    }

    private void endpoints(String p, List<EndpointConfig> endpoints, boolean zoneAware) {
        if (!check.required(p, endpoints)) return;
        if (endpoints.isEmpty()) check.error(p, "must list at least one endpoint");
        endpointList(p, endpoints, zoneAware);
    }

    private void endpointList(String p, List<EndpointConfig> endpoints, boolean zoneAware) {
        for (int i = 0; i < endpoints.size(); i++) {
            String ep = p + "[" + i + "]";
            EndpointConfig e = endpoints.get(i);
            if (!check.required(ep, e)) continue;
            if (tls.address(ep + ".address", e.address()) && e.address().port() == 0) {
                check.error(ep + ".address", "port must be 1-65535");
            }
            if (zoneAware && e.zone() == null) check.error(ep + ".zone", "is required for zone-aware load balancing");
            check.required(ep + ".labels", e.labels());
            check.range(ep + ".weight", e.weight(), 1, MAX_ENDPOINT_WEIGHT);
        }
    }

    /** Exactly one of a header, a cookie or the source IP (a cluster's hashOn, a route's stickyOn). */
    void hashKey(String p, HashOn h) {
        int count = (h.header() != null ? 1 : 0) + (h.cookie() != null ? 1 : 0) + (h.sourceIp() ? 1 : 0);
        if (count != 1) check.error(p, "must set exactly one of header, cookie or sourceIp: true");
        if (h.header() != null && !ClusterReader.TOKEN.matcher(h.header()).matches()) {
            check.error(p + ".header", "is not a valid header name");
        }
        if (h.cookie() != null && !ClusterReader.TOKEN.matcher(h.cookie()).matches()) {
            check.error(p + ".cookie", "is not a valid cookie name");
        }
    }

    private void protocol(String p, UpstreamProtocol protocol, UpstreamTlsConfig upstreamTls, boolean mesh) {
        if (mesh) {
            if (protocol == UpstreamProtocol.H2C) check.error(p + ".protocol", MESH_H2C);
        } else if (protocol == UpstreamProtocol.H2 && upstreamTls == null) {
            check.error(p + ".protocol", "h2 is HTTP/2 over TLS: add a tls section, or use h2c for HTTP/2 in clear text");
        } else if (protocol == UpstreamProtocol.H2C && upstreamTls != null) {
            check.error(p + ".protocol", "h2c is HTTP/2 in clear text; over tls, HTTP/2 is protocol: h2");
        }
    }

    private void pool(String p, PoolConfig pool) {
        check.range(p + ".maxConnections", pool.maxConnections(), 1, 1_000_000);
        check.range(p + ".maxPendingRequests", pool.maxPendingRequests(), 0, 1_000_000);
        check.positive(p + ".idleTimeout", pool.idleTimeout());
        check.positive(p + ".connectTimeout", pool.connectTimeout());
        check.range(p + ".maxRequestsPerConnection", pool.maxRequestsPerConnection(), 0, Integer.MAX_VALUE);
    }

    private void healthCheck(String p, HealthCheckConfig hc) {
        if (check.required(p + ".path", hc.path())) {
            if (!hc.path().startsWith("/")) check.error(p + ".path", "must start with '/'");
            if (hc.path().chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                check.error(p + ".path", "must not contain spaces or control characters");
            }
        }
        if (hc.host() != null && (hc.host().isBlank() || hc.host().chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            check.error(p + ".host", "must be a host name without spaces or control characters");
        }
        check.positive(p + ".interval", hc.interval());
        check.positive(p + ".timeout", hc.timeout());
        check.range(p + ".healthyThreshold", hc.healthyThreshold(), 1, MAX_HEALTH_THRESHOLD);
        check.range(p + ".unhealthyThreshold", hc.unhealthyThreshold(), 1, MAX_HEALTH_THRESHOLD);
    }

    private void circuitBreaker(String p, CircuitBreakerConfig b) {
        check.range(p + ".maxConnections", b.maxConnections(), 0, Integer.MAX_VALUE);
        check.range(p + ".maxPendingRequests", b.maxPendingRequests(), 0, Integer.MAX_VALUE);
        check.range(p + ".maxRequests", b.maxRequests(), 0, Integer.MAX_VALUE);
        check.range(p + ".maxRetries", b.maxRetries(), 0, Integer.MAX_VALUE);
        CircuitBreakerConfig.FailureRate r = b.failureRate();
        if (r == null) return;
        String rp = p + ".failureRate";
        check.range(rp + ".thresholdPercent", r.thresholdPercent(), 1, 100);
        check.range(rp + ".minimumCalls", r.minimumCalls(), 1, Integer.MAX_VALUE);
        if (check.required(rp + ".window", r.window()) && r.window().compareTo(MIN_FAILURE_RATE_WINDOW) < 0) {
            check.error(rp + ".window", "must be at least 1s");
        }
        check.positive(rp + ".openFor", r.openFor());
        check.range(rp + ".halfOpenCalls", r.halfOpenCalls(), 1, Integer.MAX_VALUE);
    }

    private void outlierDetection(String p, OutlierDetectionConfig o) {
        boolean ok = check.range(p + ".consecutive5xxErrors", o.consecutive5xxErrors(), 0, Integer.MAX_VALUE)
                & check.range(p + ".consecutiveGatewayErrors", o.consecutiveGatewayErrors(), 0, Integer.MAX_VALUE);
        if (ok && o.consecutive5xxErrors() == 0 && o.consecutiveGatewayErrors() == 0) {
            check.error(p, "consecutive5xxErrors and consecutiveGatewayErrors are both 0: nothing would be ejected");
        }
        check.positive(p + ".interval", o.interval());
        check.positive(p + ".baseEjectionTime", o.baseEjectionTime());
        check.range(p + ".maxEjectionPercent", o.maxEjectionPercent(), 0, 100);
    }

    private void upstreamTls(String p, UpstreamTlsConfig t) {
        if (t.sni() != null && (t.sni().startsWith("*") || !TlsReader.SERVER_NAME.matcher(t.sni()).matches())) {
            check.error(p + ".sni", "'" + t.sni() + "' is not a DNS name");
        }
        if (t.certFile() != null && t.keyFile() == null) check.error(p + ".keyFile", "is required");
        if (t.keyFile() != null && t.certFile() == null) check.error(p + ".certFile", "is required");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String s : t.verifySubjectAltName()) {
            if (s == null || s.isBlank()) check.error(p + ".verifySubjectAltName", "must not hold an empty name");
            else if (!seen.add(s)) check.error(p + ".verifySubjectAltName", "'" + s + "' is listed twice");
        }
        tls.minVersion(p + ".minVersion", t.minVersion());
        check.positive(p + ".reloadCheckInterval", t.reloadCheckInterval());
    }
}
