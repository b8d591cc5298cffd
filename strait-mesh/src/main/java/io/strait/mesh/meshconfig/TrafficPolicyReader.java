package io.strait.mesh.meshconfig;

import io.strait.config.load.Node;
import io.strait.config.load.TrafficSettingsReader;
import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.TrafficPolicy.Split;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a Strait {@code TrafficPolicy} document ({@value #API_VERSION}): {@code spec.service} and the gateway's own
 * settings, read by strait-config's {@link TrafficSettingsReader} so that their rules, defaults and messages are the
 * gateway's: {@code timeout}, {@code retries} (with {@code perTryTimeout}), {@code circuitBreaker},
 * {@code outlierDetection} and {@code split}.
 */
final class TrafficPolicyReader {
    static final String API_VERSION = "strait.io/v1";
    static final String KIND = "TrafficPolicy";
    /** A service name as a registry and Kubernetes know it: a DNS-1123 label. */
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private TrafficPolicyReader() {}

    /** The settings of {@code doc} (a cursor at the document's root), or null when it has errors (reported). */
    static ServiceTrafficPolicy read(Node doc, String source, String json) {
        int before = doc.errors().size();
        DocumentHeader head = DocumentHeader.read(doc, Set.of(API_VERSION));
        ServiceTrafficPolicy out = null;
        if (!doc.has("spec")) {
            doc.skip("spec");
            doc.error("spec", "is required, with at least the service: spec: {service: orders, ...}");
        } else {
            Node spec = doc.object("spec");
            if (spec != null) {
                String service = spec.requiredString("service");
                if (service != null && !SERVICE.matcher(service).matches()) {
                    spec.error("service", "'" + service + "' must be a service name: lower-case letters, digits and '-'"
                            + " (the namespace is metadata.namespace)");
                }
                Duration timeout = TrafficSettingsReader.timeout(spec);
                RetryPolicy retries = TrafficSettingsReader.retries(spec, timeout);
                CircuitBreakerConfig breaker = TrafficSettingsReader.circuitBreaker(spec);
                OutlierDetectionConfig outliers = TrafficSettingsReader.outlierDetection(spec);
                List<Split> split = TrafficSettingsReader.split(spec);
                spec.finish();
                if (head != null) {
                    out = new ServiceTrafficPolicy(source, head.namespace(), head.name(), service, timeout, retries,
                            breaker, outliers, split, json);
                }
            }
        }
        doc.finish();
        return doc.errors().size() == before ? out : null;
    }
}
