package io.strait.mesh.peerauth;

import java.util.Map;
import java.util.Objects;

/**
 * The peer authentication the control plane gives a workload: a mode, and per workload port a different one
 * (Istio's {@code portLevelMtls}).
 *
 * @param mode the workload's mode
 * @param ports modes for single ports of the workload (the app's port), overriding {@code mode}
 */
public record PeerAuthentication(PeerAuthMode mode, Map<Integer, PeerAuthMode> ports) {
    /** Mutual TLS only, on every port: what a sidecar uses until told otherwise. */
    public static final PeerAuthentication STRICT = new PeerAuthentication(PeerAuthMode.STRICT, Map.of());
    public static final PeerAuthentication PERMISSIVE = new PeerAuthentication(PeerAuthMode.PERMISSIVE, Map.of());

    public PeerAuthentication {
        Objects.requireNonNull(mode, "mode");
        ports = Map.copyOf(ports);
    }

    /** The mode of the workload port {@code port}. */
    public PeerAuthMode modeFor(int port) {
        return ports.getOrDefault(port, mode);
    }
}
