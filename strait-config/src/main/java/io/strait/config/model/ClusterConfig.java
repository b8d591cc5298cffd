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
        UpstreamTlsConfig tls) {

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
