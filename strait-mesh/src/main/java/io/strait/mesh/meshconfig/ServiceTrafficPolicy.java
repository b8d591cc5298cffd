package io.strait.mesh.meshconfig;

import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.TrafficPolicy.Split;
import java.time.Duration;
import java.util.List;

/**
 * A Strait {@code TrafficPolicy} document: how callers reach the service {@code service} of {@code namespace}. The
 * settings are the gateway's own records, read by the gateway's own readers, so their rules and defaults are the
 * same as under a gateway's {@code routes} and {@code clusters}: {@code timeout} (0: none), {@code retries} (with its
 * {@code perTryTimeout}), {@code circuitBreaker} and {@code outlierDetection} (null when left out), and {@code split},
 * weighted subsets by endpoint labels (empty for none). {@code document} is the whole document as JSON: what the
 * control plane pushes, so a sidecar reads it with the same reader ({@link MeshConfigReader#trafficPolicy}).
 */
public record ServiceTrafficPolicy(String source, String namespace, String name, String service, Duration timeout,
                                   RetryPolicy retries, CircuitBreakerConfig circuitBreaker,
                                   OutlierDetectionConfig outlierDetection, List<Split> split, String document) {
    public ServiceTrafficPolicy {
        split = List.copyOf(split);
    }

    /** {@code namespace/service}, how lookups and errors name the service. */
    public String serviceId() {
        return namespace + "/" + service;
    }
}
