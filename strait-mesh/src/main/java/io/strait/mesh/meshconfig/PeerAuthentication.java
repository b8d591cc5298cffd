package io.strait.mesh.meshconfig;

import java.util.Map;

/**
 * One Istio {@code PeerAuthentication} as read from YAML: where it came from ({@code source}, e.g.
 * {@code peer.yaml [0]}), its namespace and name, its selector ({@code matchLabels}; empty for the whole namespace, or
 * the whole mesh in the root namespace), its mode and its per-port modes (workload policies only, as Istio requires).
 */
public record PeerAuthentication(String source, String namespace, String name, Map<String, String> selector,
                                 MtlsMode mode, Map<Integer, MtlsMode> portLevel) {
    public PeerAuthentication {
        selector = Map.copyOf(selector);
        portLevel = Map.copyOf(portLevel);
    }

    /** Whether it is a workload policy (a non-empty selector), rather than a namespace- or mesh-wide one. */
    public boolean workloadLevel() {
        return !selector.isEmpty();
    }

    /** {@code namespace/name}. */
    public String id() {
        return namespace + "/" + name;
    }
}
