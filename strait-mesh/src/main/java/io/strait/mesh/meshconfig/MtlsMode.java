package io.strait.mesh.meshconfig;

/**
 * A {@code PeerAuthentication}'s {@code mtls.mode}, as Istio defines it: what an inbound port of a workload accepts.
 */
public enum MtlsMode {
    /** Inherit from the policy above (port from workload, workload from namespace, namespace from mesh). */
    UNSET,
    /** Plaintext only: the connection is not mutual TLS (Istio's DISABLE; used for a port such as a metrics port). */
    DISABLE,
    /** Mutual TLS or plaintext: for migrating callers to the mesh. Istio's default, and Strait's. */
    PERMISSIVE,
    /** Mutual TLS only: a caller must present an SVID of the trust domain. */
    STRICT
}
