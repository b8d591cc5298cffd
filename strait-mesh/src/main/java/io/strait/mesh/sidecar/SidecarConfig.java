package io.strait.mesh.sidecar;

import io.strait.config.model.HostPort;
import io.strait.mesh.peerauth.PeerAuthMode;
import java.nio.file.Path;
import java.util.Map;

/**
 * A sidecar's own configuration file ({@code strait sidecar --config FILE}): which workload it serves, where its
 * control plane is, and its ports. Everything else (its SVID, the trust bundle, policies, the other services'
 * endpoints) comes from the control plane as {@link MeshState}. Read by {@link SidecarConfigReader}.
 *
 * @param service the service name callers use ({@code Host: orders})
 * @param namespace the workload's namespace (its SPIFFE ID's {@code /ns/})
 * @param serviceAccount the workload's account (its SPIFFE ID's {@code /sa/})
 * @param zone the zone it runs in (zone-aware balancing, the registry), or null
 * @param labels the workload's labels (policy selectors, subsets)
 */
public record SidecarConfig(
        String service,
        String namespace,
        String serviceAccount,
        String zone,
        Map<String, String> labels,
        ControlPlane controlPlane,
        Inbound inbound,
        Outbound outbound,
        Admin admin,
        AccessLog accessLog) {

    /** Kubernetes' default namespace, as Istio's. */
    public static final String DEFAULT_NAMESPACE = "default";
    /** Kubernetes' default service account. */
    public static final String DEFAULT_SERVICE_ACCOUNT = "default";
    /** Istio's inbound capture port. */
    public static final int DEFAULT_INBOUND_PORT = 15006;
    /** Every interface: other hosts' sidecars call this port. */
    public static final String DEFAULT_INBOUND_ADDRESS = "0.0.0.0";
    /** Istio's outbound capture port. */
    public static final int DEFAULT_OUTBOUND_PORT = 15001;
    /** Istio's sidecar admin port. */
    public static final int DEFAULT_ADMIN_PORT = 15000;
    /** The app, the outbound ports and admin are local to the pod or host. */
    public static final String LOOPBACK = "127.0.0.1";

    public SidecarConfig {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        accessLog = accessLog == null ? AccessLog.DEFAULT : accessLog;
    }

    /** With the default access log (on, JSON lines on stdout). */
    public SidecarConfig(String service, String namespace, String serviceAccount, String zone, Map<String, String> labels,
            ControlPlane controlPlane, Inbound inbound, Outbound outbound, Admin admin) {
        this(service, namespace, serviceAccount, zone, labels, controlPlane, inbound, outbound, admin, AccessLog.DEFAULT);
    }

    /**
     * The sidecar's access log: one JSON line per request, local errors with their reason included. On by default, on
     * stdout (a pod's log); {@code path} writes it to a file instead. Istio and Linkerd have theirs off by default;
     * Strait's is on, so that a refused call says why where an operator looks first, and can be turned off.
     *
     * @param path a file, or null for stdout
     */
    public record AccessLog(boolean enabled, Path path) {
        public static final AccessLog DEFAULT = new AccessLog(true, null);
    }

    /**
     * The control plane: its address (TLS, port 15012 by default) and what the first connection needs.
     *
     * @param trustBundleFile the roots that sign the control plane's certificate (PEM), for the first connection;
     *     later the bundle it pushes is used
     * @param joinToken the join token for the first SVID, or null; a secret, never logged ({@link #toString()})
     * @param joinTokenFile a file holding the join token instead, or null
     * @param trustDomain the mesh's trust domain (default {@code cluster.local}): the control plane must prove
     *     {@code spiffe://<trustDomain>/ns/strait-system/sa/control-plane}, and this workload's SVID is of it
     */
    public record ControlPlane(HostPort address, Path trustBundleFile, String joinToken, Path joinTokenFile, String trustDomain) {
        /** Istio's default trust domain, as the control plane's. */
        public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

        public ControlPlane {
            trustDomain = trustDomain == null ? DEFAULT_TRUST_DOMAIN : trustDomain;
        }

        public ControlPlane(HostPort address, Path trustBundleFile, String joinToken, Path joinTokenFile) {
            this(address, trustBundleFile, joinToken, joinTokenFile, DEFAULT_TRUST_DOMAIN);
        }

        @Override
        public String toString() {
            return "ControlPlane[address=" + address + ", trustBundleFile=" + trustBundleFile + ", joinToken="
                    + (joinToken == null ? "none" : "***") + ", joinTokenFile=" + joinTokenFile + "]";
        }
    }

    /**
     * The inbound listener, which other services' sidecars call with mutual TLS.
     *
     * @param address the interface it binds ({@value #DEFAULT_INBOUND_ADDRESS} by default)
     * @param appPort the local app's port on {@value #LOOPBACK}
     * @param mode overrides the control plane's peer authentication mode, or null to follow it
     * @param advertiseAddress the host other sidecars call this one at (registered with the control plane), or null:
     *     the bound address, or, when it binds every interface, this host's address on the route to the control plane
     */
    public record Inbound(String address, int port, int appPort, PeerAuthMode mode, String advertiseAddress) {
        public Inbound(String address, int port, int appPort, PeerAuthMode mode) {
            this(address, port, appPort, mode, null);
        }

        /** Binds every interface: {@code 0.0.0.0} or {@code ::}. */
        public boolean wildcard() {
            return address.equals("0.0.0.0") || address.equals("::");
        }
    }

    /**
     * The outbound listener, which the local app calls (plain HTTP on {@value #LOOPBACK}).
     *
     * @param services local ports for single upstream services ({@code orders: 15101}): the app calls
     *     {@code 127.0.0.1:15101} and reaches {@code orders}, whatever its Host header
     */
    public record Outbound(int port, Map<String, Integer> services) {
        public Outbound {
            services = services == null ? Map.of() : Map.copyOf(services);
        }
    }

    /** The admin API ({@code /ready}, {@code /metrics}, {@code /config}, {@code /clusters}) on {@value #LOOPBACK}. */
    public record Admin(int port) {}
}
