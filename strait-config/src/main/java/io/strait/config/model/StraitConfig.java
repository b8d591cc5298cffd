package io.strait.config.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole, validated configuration of one Strait process. Immutable: a reload builds a new one
 * and swaps it in atomically.
 *
 * @param zone the zone this process runs in (for zone-aware load balancing); may be null
 * @param drainTimeout how long graceful shutdown waits for in-flight requests
 */
public record StraitConfig(
        AdminConfig admin,
        List<ListenerConfig> listeners,
        Map<String, ClusterConfig> clusters,
        List<RouteConfig> routes,
        ObservabilityConfig observability,
        String zone,
        Duration drainTimeout) {}
