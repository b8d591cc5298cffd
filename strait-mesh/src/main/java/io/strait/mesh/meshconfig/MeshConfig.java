package io.strait.mesh.meshconfig;

import io.strait.mesh.authz.AuthorizationPolicy;
import io.strait.mesh.authz.AuthzEngine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The mesh's policies and per-service traffic settings, as one immutable value: Istio {@code AuthorizationPolicy}
 * and {@code PeerAuthentication} documents and Strait {@code TrafficPolicy} documents, in load order (files by name,
 * documents in file order). Read by {@link MeshConfigReader}, kept current by {@link MeshConfigSource}. The lookups
 * answer for one workload ({@code namespace} and {@code labels}) or one service; safe on any thread.
 */
public final class MeshConfig {
    /** No documents: every workload PERMISSIVE with no authorization policy, no service with settings. */
    public static final MeshConfig EMPTY = new MeshConfig(AuthzEngine.DEFAULT_ROOT_NAMESPACE, List.of(), List.of(), List.of());

    private final String rootNamespace;
    private final List<AuthorizationPolicy> authorizationPolicies;
    private final List<PeerAuthentication> peerAuthentications;
    private final List<ServiceTrafficPolicy> trafficPolicies;
    private final Map<String, ServiceTrafficPolicy> trafficByService;

    /** {@code rootNamespace}: where policies apply mesh-wide ({@value AuthzEngine#DEFAULT_ROOT_NAMESPACE} by default). */
    public MeshConfig(String rootNamespace, List<AuthorizationPolicy> authorizationPolicies,
                      List<PeerAuthentication> peerAuthentications, List<ServiceTrafficPolicy> trafficPolicies) {
        this.rootNamespace = Objects.requireNonNull(rootNamespace);
        this.authorizationPolicies = List.copyOf(authorizationPolicies);
        this.peerAuthentications = List.copyOf(peerAuthentications);
        this.trafficPolicies = List.copyOf(trafficPolicies);
        Map<String, ServiceTrafficPolicy> byService = new HashMap<>();
        for (ServiceTrafficPolicy t : trafficPolicies) byService.putIfAbsent(t.serviceId(), t);
        this.trafficByService = Map.copyOf(byService);
    }

    public String rootNamespace() {
        return rootNamespace;
    }

    public List<AuthorizationPolicy> authorizationPolicies() {
        return authorizationPolicies;
    }

    public List<PeerAuthentication> peerAuthentications() {
        return peerAuthentications;
    }

    public List<ServiceTrafficPolicy> trafficPolicies() {
        return trafficPolicies;
    }

    /** The authorization policies that apply to the workload: its namespace's and the root namespace's that select it. */
    public List<AuthorizationPolicy> authorizationPolicies(String namespace, Map<String, String> labels) {
        List<AuthorizationPolicy> out = new ArrayList<>();
        for (AuthorizationPolicy p : authorizationPolicies) {
            if (p.appliesTo(namespace, labels, rootNamespace)) out.add(p);
        }
        return List.copyOf(out);
    }

    /** The workload's authorization, compiled and ready to evaluate requests. */
    public AuthzEngine.Workload authorization(String namespace, Map<String, String> labels) {
        return new AuthzEngine(authorizationPolicies(namespace, labels), rootNamespace).forWorkload(namespace, labels);
    }

    /**
     * The workload's mutual-TLS mode, composed as Istio does: the first workload policy of its namespace that selects
     * it (load order stands in for Istio's "oldest"), over its namespace's policy, over the mesh's (root namespace, no
     * selector); {@code UNSET} inherits; {@link EffectiveMtls#DEFAULT_MODE} when none sets a mode.
     */
    public EffectiveMtls mtls(String namespace, Map<String, String> labels) {
        PeerAuthentication mesh = null;
        PeerAuthentication ns = null;
        PeerAuthentication workload = null;
        for (PeerAuthentication p : peerAuthentications) {
            if (!p.workloadLevel()) {
                if (p.namespace().equals(rootNamespace)) {
                    if (mesh == null) mesh = p;
                } else if (p.namespace().equals(namespace) && ns == null) {
                    ns = p;
                }
            } else if (!p.namespace().equals(rootNamespace) && p.namespace().equals(namespace) && workload == null
                    && labels.entrySet().containsAll(p.selector().entrySet())) {
                workload = p;
            }
        }
        MtlsMode mode = EffectiveMtls.DEFAULT_MODE;
        List<String> decidedBy = new ArrayList<>();
        for (PeerAuthentication p : new PeerAuthentication[] {mesh, ns, workload}) {
            if (p == null) continue;
            decidedBy.add(p.id());
            if (p.mode() != MtlsMode.UNSET) mode = p.mode();
        }
        Map<Integer, MtlsMode> perPort = new HashMap<>();
        if (workload != null) {
            for (Map.Entry<Integer, MtlsMode> e : workload.portLevel().entrySet()) {
                perPort.put(e.getKey(), e.getValue() == MtlsMode.UNSET ? mode : e.getValue());
            }
        }
        return decidedBy.isEmpty() ? EffectiveMtls.DEFAULT : new EffectiveMtls(mode, perPort, decidedBy);
    }

    /** The mutual-TLS mode of the workload's port {@code port}. */
    public MtlsMode mtlsMode(String namespace, Map<String, String> labels, int port) {
        return mtls(namespace, labels).mode(port);
    }

    /** The traffic settings of {@code service} in {@code namespace}, if a TrafficPolicy names it. */
    public Optional<ServiceTrafficPolicy> traffic(String namespace, String service) {
        return Optional.ofNullable(trafficByService.get(namespace + "/" + service));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MeshConfig m && rootNamespace.equals(m.rootNamespace)
                && authorizationPolicies.equals(m.authorizationPolicies) && peerAuthentications.equals(m.peerAuthentications)
                && trafficPolicies.equals(m.trafficPolicies);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rootNamespace, authorizationPolicies, peerAuthentications, trafficPolicies);
    }

    @Override
    public String toString() {
        return "MeshConfig[" + authorizationPolicies.size() + " AuthorizationPolicy, " + peerAuthentications.size()
                + " PeerAuthentication, " + trafficPolicies.size() + " TrafficPolicy; root namespace " + rootNamespace + "]";
    }
}
