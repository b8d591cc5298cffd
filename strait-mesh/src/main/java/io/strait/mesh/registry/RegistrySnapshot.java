package io.strait.mesh.registry;

import java.util.List;
import java.util.Map;

/**
 * The registry at one revision, grouped by namespace, then service, each service's workloads sorted by
 * instance id; immutable. Config distribution turns it into {@code ServiceEndpoints} resources.
 */
public record RegistrySnapshot(long revision, Map<String, Map<String, List<Registration>>> namespaces) {
    /** The workloads of {@code namespace/service}; empty when there are none. */
    public List<Registration> service(String namespace, String service) {
        return namespaces.getOrDefault(namespace, Map.of()).getOrDefault(service, List.of());
    }

    public int size() {
        return namespaces.values().stream().flatMap(m -> m.values().stream()).mapToInt(List::size).sum();
    }
}
