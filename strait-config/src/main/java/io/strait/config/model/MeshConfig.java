package io.strait.config.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The process's own identity in the service mesh (the top-level {@code mesh} section of a gateway): the control
 * plane it joins and the workload it is, {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>}. The
 * clusters with {@code mesh: {service: NAME}} call the mesh's services with that identity's SVID. Read at start;
 * a reload may not change it (only its join token, which is spent by then).
 *
 * @param controlPlane where the control plane is and what the first connection needs
 * @param namespace the gateway's namespace, and the namespace of a cluster's {@code mesh.service} that names none
 * @param serviceAccount the gateway's account: the principal the services' policies allow
 */
public record MeshConfig(ControlPlane controlPlane, String namespace, String serviceAccount) {

    /**
     * The control plane, with the names of a sidecar's {@code controlPlane} section.
     *
     * @param address the control plane's API (TLS)
     * @param trustDomain the mesh's trust domain: the control plane must prove
     *     {@code spiffe://<trustDomain>/ns/strait-system/sa/control-plane}
     * @param trustBundleFile the roots that sign the control plane's certificate (PEM), for the first connection;
     *     later the bundle it pushes is used
     * @param joinToken the join token the first SVID is issued against (given inline or read from
     *     {@code joinTokenFile}); a secret: redacted in {@code GET /config}, never logged ({@link #toString()})
     * @param joinTokenFile the file the token was read from, or null when it was given inline
     */
    public record ControlPlane(HostPort address, String trustDomain, Path trustBundleFile, String joinToken, Path joinTokenFile) {
        @Override
        public String toString() {
            return "ControlPlane[address=" + address + ", trustDomain=" + trustDomain + ", trustBundleFile=" + trustBundleFile
                    + ", joinToken=" + (joinToken == null ? "none" : "***") + ", joinTokenFile=" + joinTokenFile + "]";
        }
    }

    /** This section with the join token left out: what must stay the same across reloads (a spent token may change). */
    public MeshConfig withoutJoinToken() {
        ControlPlane cp = controlPlane == null ? null
                : new ControlPlane(controlPlane.address(), controlPlane.trustDomain(), controlPlane.trustBundleFile(), null, null);
        return new MeshConfig(cp, namespace, serviceAccount);
    }

    /** The gateway's SPIFFE ID, {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>}. */
    public String spiffeId() {
        return "spiffe://" + Objects.requireNonNull(controlPlane, "controlPlane").trustDomain() + "/ns/" + namespace + "/sa/" + serviceAccount;
    }
}
