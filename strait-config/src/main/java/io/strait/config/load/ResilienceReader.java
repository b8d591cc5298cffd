package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.*;
import static io.strait.config.load.ConfigReader.positive;

import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.CircuitBreakerConfig.FailureRate;
import io.strait.config.model.OutlierDetectionConfig;
import java.time.Duration;

/** Reads a cluster's {@code circuitBreaker} and {@code outlierDetection}; each is null when left out. */
final class ResilienceReader {
    private ResilienceReader() {}

    static CircuitBreakerConfig circuitBreaker(Node n) {
        if (n == null) return null;
        int connections = limit(n, "maxConnections");
        int pending = limit(n, "maxPendingRequests");
        int requests = limit(n, "maxRequests");
        int retries = limit(n, "maxRetries");
        FailureRate rate = failureRate(n.object("failureRate"));
        n.finish();
        return new CircuitBreakerConfig(connections, pending, requests, retries, rate);
    }

    private static int limit(Node n, String field) {
        return n.integer(field, DEFAULT_CIRCUIT_BREAKER_LIMIT, 0, Integer.MAX_VALUE);
    }

    private static FailureRate failureRate(Node n) {
        if (n == null) return null;
        int threshold = n.integer("thresholdPercent", DEFAULT_FAILURE_RATE_THRESHOLD_PERCENT, 1, 100);
        int minimum = n.integer("minimumCalls", DEFAULT_FAILURE_RATE_MINIMUM_CALLS, 1, Integer.MAX_VALUE);
        int before = n.errors().size();
        Duration window = n.duration("window", DEFAULT_FAILURE_RATE_WINDOW);
        if (n.errors().size() == before && window.compareTo(MIN_FAILURE_RATE_WINDOW) < 0) {
            n.error("window", "must be at least 1s");
            window = DEFAULT_FAILURE_RATE_WINDOW;
        }
        Duration openFor = positive(n, "openFor", DEFAULT_FAILURE_RATE_OPEN_FOR);
        int halfOpen = n.integer("halfOpenCalls", DEFAULT_FAILURE_RATE_HALF_OPEN_CALLS, 1, Integer.MAX_VALUE);
        n.finish();
        return new FailureRate(threshold, minimum, window, openFor, halfOpen);
    }

    static OutlierDetectionConfig outlierDetection(Node n) {
        if (n == null) return null;
        int before = n.errors().size();
        int fiveXx = n.integer("consecutive5xxErrors", DEFAULT_OUTLIER_CONSECUTIVE_5XX, 0, Integer.MAX_VALUE);
        int gateway = n.integer("consecutiveGatewayErrors", DEFAULT_OUTLIER_CONSECUTIVE_GATEWAY, 0, Integer.MAX_VALUE);
        if (fiveXx == 0 && gateway == 0 && n.errors().size() == before) {
            n.errors().add(n.path(), "consecutive5xxErrors and consecutiveGatewayErrors are both 0: nothing would be ejected");
        }
        Duration interval = positive(n, "interval", DEFAULT_OUTLIER_INTERVAL);
        Duration base = positive(n, "baseEjectionTime", DEFAULT_OUTLIER_BASE_EJECTION_TIME);
        int percent = n.integer("maxEjectionPercent", DEFAULT_OUTLIER_MAX_EJECTION_PERCENT, 0, 100);
        n.finish();
        return new OutlierDetectionConfig(fiveXx, gateway, interval, base, percent);
    }
}
