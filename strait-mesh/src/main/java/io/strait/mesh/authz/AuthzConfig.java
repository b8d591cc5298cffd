package io.strait.mesh.authz;

import io.strait.config.model.FilterConfig;
import java.util.List;
import java.util.Map;

/**
 * {@code - authz: {policies: [FILE...], namespace: NS, labels: {k: v}, rootNamespace: istio-system}}: the workload
 * this sidecar serves and the policies read (and validated) at load.
 */
public record AuthzConfig(List<String> policyFiles, String namespace, Map<String, String> labels, String rootNamespace,
                          List<AuthorizationPolicy> policies) implements FilterConfig {
    public AuthzConfig {
        policyFiles = List.copyOf(policyFiles);
        labels = Map.copyOf(labels);
        policies = List.copyOf(policies);
    }
}
