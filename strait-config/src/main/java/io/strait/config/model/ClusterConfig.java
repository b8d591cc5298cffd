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
        OutlierDetectionConfig outlierDetection) {

    /** A cluster without circuit breaking or outlier detection. */
    public ClusterConfig(String name, List<EndpointConfig> endpoints, LoadBalancerKind loadBalancer, HashOn hashOn,
            ZoneAware zoneAware, UpstreamProtocol protocol, PoolConfig pool, HealthCheckConfig healthCheck, Duration dnsRefresh) {
        this(name, endpoints, loadBalancer, hashOn, zoneAware, protocol, pool, healthCheck, dnsRefresh, null, null);
    }

    public enum LoadBalancerKind { ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, ZONE_AWARE }

    public enum UpstreamProtocol { HTTP1, H2C }

    /** Ring-hash key: exactly one of a request header, a cookie, or the client's source IP. */
    public record HashOn(String header, String cookie, boolean sourceIp) {}

    /**
     * Zone-aware balancing prefers endpoints in the process's zone while at least {@code
     * minHealthyPercent} of that zone's endpoints are healthy, and spills over to all zones below it.
     */
    public record ZoneAware(int minHealthyPercent) {}
}
