package io.strait.proxy.cluster;

import io.strait.proxy.resilience.EjectionStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One endpoint as the admin {@code /clusters} output shows it.
 *
 * @param hostname the DNS name it was resolved from, or null
 * @param healthy whether load balancing may pick it (passes health checks, not ejected)
 * @param passesHealthChecks the active health checks' verdict (true without checks)
 * @param ejected whether outlier detection has taken it out of load balancing
 * @param ejections how many times outlier detection ejected it
 * @param ejectedUntil when an ejected endpoint may return, else null
 * @param lastCheck the latest active health check, or null before the first one or without checks
 */
public record EndpointStatus(
        String id,
        String hostname,
        String zone,
        Map<String, String> labels,
        int weight,
        boolean healthy,
        boolean passesHealthChecks,
        boolean ejected,
        int ejections,
        Instant ejectedUntil,
        int activeRequests,
        HealthCheckResult lastCheck) {

    static EndpointStatus of(Endpoint e, EjectionStatus ejection) {
        return new EndpointStatus(e.id(), e.hostname(), e.zone(), e.labels(), e.weight(), e.healthy(),
                e.passesHealthChecks(), e.ejected(), ejection.ejections(), e.ejected() ? ejection.ejectedUntil() : null,
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
        m.put("passesHealthChecks", passesHealthChecks);
        m.put("ejected", ejected);
        m.put("ejections", ejections);
        if (ejectedUntil != null) m.put("ejectedUntil", ejectedUntil.toString());
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
