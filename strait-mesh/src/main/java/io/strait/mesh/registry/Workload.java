package io.strait.mesh.registry;

import io.strait.mesh.identity.SpiffeId;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A workload as its sidecar registers it: a unique instance id per sidecar process, the service it
 * serves, its namespace and service account (those of its SVID), the {@code host:port} of its sidecar's
 * inbound mTLS listener, its zone (empty: none) and labels (sorted by key). Checked by {@link WorkloadCheck}.
 */
public record Workload(String instanceId, String service, String namespace, String account, String address, String zone,
        Map<String, String> labels) {
    public Workload {
        zone = zone == null ? "" : zone;
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    /** {@code <namespace>/<service>}, the name of the service's endpoints resource. */
    public String serviceKey() {
        return namespace + "/" + service;
    }

    /** The identity its server certificate carries, in {@code trustDomain}. */
    public SpiffeId identity(String trustDomain) {
        return new SpiffeId(trustDomain, namespace, account);
    }
}
