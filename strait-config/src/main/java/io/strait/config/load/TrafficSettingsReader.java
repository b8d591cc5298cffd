package io.strait.config.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.TrafficPolicy.Split;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gateway's own readers of per-service traffic settings, for documents that are not a gateway file (the mesh's
 * {@code TrafficPolicy}): {@code timeout}, {@code retries} (with {@code perTryTimeout}), {@code circuitBreaker},
 * {@code outlierDetection} and {@code split}, with the same defaults, rules and messages as under {@code routes} and
 * {@code clusters}. One set of rules: these delegate to {@link RetryReader}, {@link ResilienceReader} and
 * {@link TrafficReader}.
 */
public final class TrafficSettingsReader {
    private TrafficSettingsReader() {}

    /** A cursor over {@code json} whose errors go to {@code errors} under {@code path} ("" for a document's root). */
    public static Node node(JsonNode json, String path, Errors errors) {
        return new Node(json, path, errors);
    }

    /** {@code timeout}: as a route's (default {@link ConfigLoader#DEFAULT_ROUTE_TIMEOUT}, 0 for none). */
    public static Duration timeout(Node n) {
        return n.duration("timeout", ConfigLoader.DEFAULT_ROUTE_TIMEOUT);
    }

    /** {@code retries}: as a route's; {@code timeout} bounds {@code perTryTimeout}. */
    public static RetryPolicy retries(Node n, Duration timeout) {
        return RetryReader.read(n, timeout);
    }

    /** {@code circuitBreaker}: as a cluster's, null when left out. */
    public static CircuitBreakerConfig circuitBreaker(Node n) {
        return ResilienceReader.circuitBreaker(n.object("circuitBreaker"));
    }

    /** {@code outlierDetection}: as a cluster's, null when left out. */
    public static OutlierDetectionConfig outlierDetection(Node n) {
        return ResilienceReader.outlierDetection(n.object("outlierDetection"));
    }

    /**
     * {@code split}: as a route's, empty when left out. The endpoints are not known here (a mesh learns them from its
     * registry), so a subset no endpoint carries is not an error at this point.
     */
    public static List<Split> split(Node n) {
        return new TrafficReader(Map.of(), Set.of()).split(n, null);
    }
}
