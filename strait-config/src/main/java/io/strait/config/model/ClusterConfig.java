package io.strait.config.model;

import java.time.Duration;
import java.util.List;

/**
 * An upstream service: its endpoints and how to reach them.
 *
 * @param dnsRefresh how often endpoints given by DNS name are resolved again
 * @param hashOn what ring-hash hashes on (null unless loadBalancer is ring-hash)
 * @param zoneAware spill-over setting for zone-aware balancing
 * @param circuitBreaker thresholds and the failure-rate breaker, or null for none
 * @param outlierDetection passive ejection of failing endpoints, or null for none
 * @param tls TLS to the endpoints, or null for plain TCP
 * @param mesh the mesh service whose workloads are the endpoints, or null: the endpoints are the ones given. With it,
 *     the process (a gateway with the top-level {@code mesh} section) sets the endpoints the control plane pushes and
 *     mutual TLS with its SVID, checking each server's SPIFFE ID against the registry's
 */
public record ClusterConfig(
        String name,
        List<EndpointConfig> endpoints,
        LoadBalancerKind loadBalancer,
        HashOn hashOn,
        ZoneAware zoneAware,
        UpstreamProtocol protocol,
        PoolConfig pool,
        HealthCheckConfig healthCheck,
        Duration dnsRefresh,
        CircuitBreakerConfig circuitBreaker,
        OutlierDetectionConfig outlierDetection,
        UpstreamTlsConfig tls,
        MeshService mesh) {

    /** A cluster of the endpoints given (not a mesh service's). */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, LoadBalancerKind loadBalancer, HashOn hashOn,
            ZoneAware zoneAware, UpstreamProtocol protocol, PoolConfig pool, HealthCheckConfig healthCheck, Duration dnsRefresh,
            CircuitBreakerConfig circuitBreaker, OutlierDetectionConfig outlierDetection, UpstreamTlsConfig tls) {
        this(name, endpoints, loadBalancer, hashOn, zoneAware, protocol, pool, healthCheck, dnsRefresh, circuitBreaker,
                outlierDetection, tls, null);
    }

    /** A cluster reached over plain TCP. */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, LoadBalancerKind loadBalancer, HashOn hashOn,
            ZoneAware zoneAware, UpstreamProtocol protocol, PoolConfig pool, HealthCheckConfig healthCheck, Duration dnsRefresh,
            CircuitBreakerConfig circuitBreaker, OutlierDetectionConfig outlierDetection) {
        this(name, endpoints, loadBalancer, hashOn, zoneAware, protocol, pool, healthCheck, dnsRefresh, circuitBreaker,
                outlierDetection, null);
    }

    /** A cluster without circuit breaking or outlier detection. */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, LoadBalancerKind loadBalancer, HashOn hashOn,
            ZoneAware zoneAware, UpstreamProtocol protocol, PoolConfig pool, HealthCheckConfig healthCheck, Duration dnsRefresh) {
        this(name, endpoints, loadBalancer, hashOn, zoneAware, protocol, pool, healthCheck, dnsRefresh, null, null, null);
    }

    /** This cluster with other endpoints, all else kept. */
    public ClusterConfig withEndpoints(List<EndpointConfig> next) {
        return new ClusterConfig(name, next, loadBalancer, hashOn, zoneAware, protocol, pool, healthCheck, dnsRefresh, circuitBreaker,
                outlierDetection, tls, mesh);
    }

    /** This cluster with other TLS settings, all else kept. */
    public ClusterConfig withTls(UpstreamTlsConfig next) {
        return new ClusterConfig(name, endpoints, loadBalancer, hashOn, zoneAware, protocol, pool, healthCheck, dnsRefresh, circuitBreaker,
                outlierDetection, next, mesh);
    }

    /**
     * A service of the mesh ({@code clusters.NAME.mesh}): its workloads, as the control plane's registry has them, are
     * the cluster's endpoints.
     *
     * @param service the service's name
     * @param namespace its namespace (in a file, the top-level {@code mesh.namespace} when left out)
     */
    public record MeshService(String service, String namespace) {}

    public enum LoadBalancerKind { ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, ZONE_AWARE }

    /**
     * How the proxy talks to the endpoints. {@code HTTP1}: HTTP/1.1, over TLS too (ALPN offers
     * {@code http/1.1}). {@code H2C}: HTTP/2 in clear text with prior knowledge. {@code H2}: HTTP/2 over
     * TLS (needs {@code tls}; ALPN offers {@code h2} and the server must choose it).
     */
    public enum UpstreamProtocol { HTTP1, H2C, H2;

        /** Whether requests go as HTTP/2 streams. */
        public boolean http2() {
            return this != HTTP1;
        }
    }

    /** Ring-hash key: exactly one of a request header, a cookie, or the client's source IP. */
    public record HashOn(String header, String cookie, boolean sourceIp) {}

    /**
     * Zone-aware balancing prefers endpoints in the process's zone while at least {@code
     * minHealthyPercent} of that zone's endpoints are healthy, and spills over to all zones below it.
     */
    public record ZoneAware(int minHealthyPercent) {}
}
