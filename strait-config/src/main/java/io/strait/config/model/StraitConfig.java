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
 * @param auth authentication providers for routes' auth policies
 * @param rateLimits the rate-limit store and the policies routes pick
 * @param mesh the process's own identity in the service mesh, or null: it joins none
 * @param versionSets the APIs whose versions run side by side (section {@code versionSets}), by name; empty for none
 * @param references what the document's {@code ${...}} references resolved to ({@link ConfigReferences#NONE} for none):
 *     not a setting, the written form the admin API shows
 */
public record StraitConfig(
        AdminConfig admin,
        List<ListenerConfig> listeners,
        Map<String, ClusterConfig> clusters,
        List<RouteConfig> routes,
        ObservabilityConfig observability,
        String zone,
        Duration drainTimeout,
        AuthConfig auth,
        RateLimitsConfig rateLimits,
        MeshConfig mesh,
        Map<String, VersionSetConfig> versionSets,
        ConfigReferences references) {

    public StraitConfig {
        versionSets = versionSets == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(versionSets));
        references = references == null ? ConfigReferences.NONE : references;
    }

    /** A configuration written without references. */
    public StraitConfig(AdminConfig admin, List<ListenerConfig> listeners, Map<String, ClusterConfig> clusters,
            List<RouteConfig> routes, ObservabilityConfig observability, String zone, Duration drainTimeout, AuthConfig auth,
            RateLimitsConfig rateLimits, MeshConfig mesh, Map<String, VersionSetConfig> versionSets) {
        this(admin, listeners, clusters, routes, observability, zone, drainTimeout, auth, rateLimits, mesh, versionSets,
                ConfigReferences.NONE);
    }

    /** A configuration without version sets. */
    public StraitConfig(AdminConfig admin, List<ListenerConfig> listeners, Map<String, ClusterConfig> clusters,
            List<RouteConfig> routes, ObservabilityConfig observability, String zone, Duration drainTimeout, AuthConfig auth,
            RateLimitsConfig rateLimits, MeshConfig mesh) {
        this(admin, listeners, clusters, routes, observability, zone, drainTimeout, auth, rateLimits, mesh, Map.of());
    }

    /** A configuration of a process outside the service mesh. */
    public StraitConfig(AdminConfig admin, List<ListenerConfig> listeners, Map<String, ClusterConfig> clusters,
            List<RouteConfig> routes, ObservabilityConfig observability, String zone, Duration drainTimeout, AuthConfig auth,
            RateLimitsConfig rateLimits) {
        this(admin, listeners, clusters, routes, observability, zone, drainTimeout, auth, rateLimits, null);
    }

    /** A configuration without authentication. */
    public StraitConfig(AdminConfig admin, List<ListenerConfig> listeners, Map<String, ClusterConfig> clusters,
            List<RouteConfig> routes, ObservabilityConfig observability, String zone, Duration drainTimeout) {
        this(admin, listeners, clusters, routes, observability, zone, drainTimeout, AuthConfig.NONE, RateLimitsConfig.NONE);
    }

    /** This configuration with other clusters, all else kept. */
    public StraitConfig withClusters(Map<String, ClusterConfig> next) {
        return new StraitConfig(admin, listeners, next, routes, observability, zone, drainTimeout, auth, rateLimits, mesh,
                versionSets, references);
    }

    /** This configuration with what its references resolved to, all else kept. */
    public StraitConfig withReferences(ConfigReferences next) {
        return new StraitConfig(admin, listeners, clusters, routes, observability, zone, drainTimeout, auth, rateLimits, mesh,
                versionSets, next);
    }

    /** A configuration without rate limits. */
    public StraitConfig(AdminConfig admin, List<ListenerConfig> listeners, Map<String, ClusterConfig> clusters,
            List<RouteConfig> routes, ObservabilityConfig observability, String zone, Duration drainTimeout, AuthConfig auth) {
        this(admin, listeners, clusters, routes, observability, zone, drainTimeout, auth, RateLimitsConfig.NONE);
    }
}
