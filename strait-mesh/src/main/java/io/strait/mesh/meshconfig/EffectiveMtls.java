package io.strait.mesh.meshconfig;

import java.util.List;
import java.util.Map;

/**
 * The mutual-TLS mode in force for one workload, composed as Istio's {@code ComposePeerAuthentication} does: the
 * workload's policy over its namespace's over the mesh's, {@code UNSET} inheriting from the level above, and
 * {@link #DEFAULT_MODE} when nothing says otherwise. {@code perPort} holds the workload policy's ports, already
 * resolved (a port's {@code UNSET} is the workload's mode). {@code decidedBy} names the policies that applied
 * ({@code namespace/name}, mesh first), for logs and admin output.
 */
public record EffectiveMtls(MtlsMode mode, Map<Integer, MtlsMode> perPort, List<String> decidedBy) {
    /** Istio's default with no PeerAuthentication: PERMISSIVE, so that a mesh can be adopted one service at a time. */
    public static final MtlsMode DEFAULT_MODE = MtlsMode.PERMISSIVE;

    /** No policy at all. */
    public static final EffectiveMtls DEFAULT = new EffectiveMtls(DEFAULT_MODE, Map.of(), List.of());

    public EffectiveMtls {
        perPort = Map.copyOf(perPort);
        decidedBy = List.copyOf(decidedBy);
    }

    /** The mode of the workload's port {@code port} (the port of the workload, not of a service, as in Istio). */
    public MtlsMode mode(int port) {
        return perPort.getOrDefault(port, mode);
    }
}
