package io.strait.proxy.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One endpoint as the admin {@code /clusters} output shows it.
 *
 * @param hostname the DNS name it was resolved from, or null
 * @param lastCheck the latest active health check, or null before the first one or without checks
 */
public record EndpointStatus(
        String id,
        String hostname,
        String zone,
        Map<String, String> labels,
        int weight,
        boolean healthy,
        int activeRequests,
        HealthCheckResult lastCheck) {

    static EndpointStatus of(Endpoint e) {
        return new EndpointStatus(e.id(), e.hostname(), e.zone(), e.labels(), e.weight(), e.healthy(),
                e.activeRequests(), e.lastCheck());
    }

    /** The same as JSON-ready values (strings, numbers, booleans, maps), leaving out nulls. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        if (hostname != null) m.put("hostname", hostname);
        if (zone != null) m.put("zone", zone);
        m.put("labels", labels);
        m.put("weight", weight);
        m.put("healthy", healthy);
        m.put("activeRequests", activeRequests);
        if (lastCheck != null) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("at", lastCheck.at().toString());
            check.put("passed", lastCheck.passed());
            check.put("detail", lastCheck.detail());
            check.put("tookMs", lastCheck.took().toMillis());
            m.put("lastCheck", check);
        }
        return m;
    }
}
