package io.strait.proxy.cluster.lb;

import io.strait.config.model.ClusterConfig;

/** Builds the load balancer a cluster's configuration asks for. */
public final class LoadBalancers {
    /**
     * The config loader's default for zone-aware's minHealthyPercent, for configs built in code: at
     * 70% the remaining local endpoints take about 1.4x their usual load before traffic spills over.
     */
    public static final int DEFAULT_MIN_HEALTHY_PERCENT = 70;

    private LoadBalancers() {}

    /**
     * @param localZone the zone this process runs in (for zone-aware), may be null
     */
    public static LoadBalancer create(ClusterConfig config, String localZone) {
        ClusterConfig.LoadBalancerKind kind = config.loadBalancer() == null
                ? ClusterConfig.LoadBalancerKind.ROUND_ROBIN
                : config.loadBalancer();
        return switch (kind) {
            case ROUND_ROBIN -> new RoundRobinBalancer();
            case LEAST_REQUEST -> new LeastRequestBalancer();
            case RANDOM -> new RandomBalancer();
            case RING_HASH -> {
                if (config.hashOn() == null) {
                    throw new IllegalArgumentException("cluster " + config.name() + ": ring-hash needs hashOn");
                }
                yield new RingHashBalancer(config.hashOn());
            }
            case ZONE_AWARE -> new ZoneAwareBalancer(localZone, config.zoneAware() == null
                    ? DEFAULT_MIN_HEALTHY_PERCENT
                    : config.zoneAware().minHealthyPercent());
        };
    }
}
