package io.strait.config.model;

import java.time.Duration;

/**
 * Passive health per endpoint, with Istio DestinationRule's knobs. An endpoint that returns {@code
 * consecutive5xxErrors} 5xx in a row (or {@code consecutiveGatewayErrors} 502/503/504, refused or
 * reset connections in a row) leaves load balancing for {@code baseEjectionTime} times the number
 * of times it has been ejected; every {@code interval} ejected endpoints whose time is up return.
 * At most {@code maxEjectionPercent} of the cluster's endpoints are ejected at once (at least one,
 * as Envoy does). A threshold of 0 turns that check off.
 */
public record OutlierDetectionConfig(
        int consecutive5xxErrors,
        int consecutiveGatewayErrors,
        Duration interval,
        Duration baseEjectionTime,
        int maxEjectionPercent) {

    public static final int DEFAULT_CONSECUTIVE_5XX = 5;
    public static final int DEFAULT_CONSECUTIVE_GATEWAY = 0;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_EJECTION_PERCENT = 10;
}
