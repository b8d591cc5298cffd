package io.strait.mesh.controlplane;

import io.strait.mesh.api.Labels;
import io.strait.mesh.api.v1.AuthorizationPolicies;
import io.strait.mesh.api.v1.Endpoint;
import io.strait.mesh.api.v1.PeerAuthentication;
import io.strait.mesh.authz.AuthorizationPolicy;
import io.strait.mesh.authz.PolicyJson;
import io.strait.mesh.meshconfig.EffectiveMtls;
import io.strait.mesh.meshconfig.MeshConfig;
import io.strait.mesh.meshconfig.MtlsMode;
import io.strait.mesh.meshconfig.ServiceTrafficPolicy;
import io.strait.mesh.api.v1.TrafficSettings;
import io.strait.mesh.api.v1.Node;
import io.strait.mesh.api.v1.Resource;
import io.strait.mesh.api.v1.ServiceEndpoints;
import io.strait.mesh.api.v1.TrustBundle;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.registry.Registration;
import io.strait.mesh.registry.RegistrySnapshot;
import io.strait.mesh.xds.TypeUrls;
import io.strait.mesh.xds.VersionedResources;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What the control plane pushes to one sidecar, computed from its state of the moment: every service of the
 * registry with its workloads (each endpoint with the SPIFFE ID its certificate must prove: the identity that
 * registered it), and the trust bundle. The same state gives the same versions.
 */
final class MeshResources {
    private final Supplier<RegistrySnapshot> registry;
    private final Supplier<io.strait.mesh.identity.TrustBundle> bundle;
    private final Supplier<MeshConfig> mesh;

    MeshResources(Supplier<RegistrySnapshot> registry, Supplier<io.strait.mesh.identity.TrustBundle> bundle, Supplier<MeshConfig> mesh) {
        this.registry = registry;
        this.bundle = bundle;
        this.mesh = mesh;
    }

    Map<String, VersionedResources> forNode(Node node) {
        Map<String, VersionedResources> out = new HashMap<>();
        out.put(TypeUrls.SERVICE_ENDPOINTS, VersionedResources.of(endpoints(registry.get())));
        out.put(TypeUrls.TRUST_BUNDLE, VersionedResources.of(List.of(trustBundle(bundle.get()))));
        MeshConfig config = mesh.get();
        out.put(TypeUrls.AUTHORIZATION_POLICIES, VersionedResources.of(List.of(policies(config, node))));
        out.put(TypeUrls.PEER_AUTHENTICATION, VersionedResources.of(List.of(peerAuthentication(config, node))));
        out.put(TypeUrls.TRAFFIC_SETTINGS, VersionedResources.of(trafficSettings(config)));
        return out;
    }

    /** Every service's TrafficPolicy document (a caller needs the settings of what it calls), named {@code namespace/service}. */
    static List<Resource> trafficSettings(MeshConfig config) {
        List<Resource> out = new ArrayList<>();
        for (ServiceTrafficPolicy t : config.trafficPolicies()) {
            TrafficSettings ts = TrafficSettings.newBuilder().setNamespace(t.namespace()).setService(t.service())
                    .setSettingsJson(t.document()).build();
            out.add(Resource.newBuilder().setName(t.serviceId()).setResource(TypeUrls.pack(TypeUrls.TRAFFIC_SETTINGS, ts)).build());
        }
        return out;
    }

    /** The policies selecting the node's workload (its namespace's and the root namespace's), in the config's order. */
    static Resource policies(MeshConfig config, Node node) {
        AuthorizationPolicies.Builder b = AuthorizationPolicies.newBuilder();
        for (AuthorizationPolicy p : config.authorizationPolicies(node.getNamespace(), new TreeMap<>(Labels.map(node.getLabelsList())))) {
            b.addPoliciesJson(PolicyJson.write(p));
        }
        return Resource.newBuilder().setName("authorization-policies").setResource(TypeUrls.pack(TypeUrls.AUTHORIZATION_POLICIES, b.build())).build();
    }

    /**
     * The node's inbound mode, the most specific PeerAuthentication deciding (Istio's default PERMISSIVE when none
     * does). {@code DISABLE} is sent as PERMISSIVE: a sidecar's inbound always accepts plaintext then.
     */
    static Resource peerAuthentication(MeshConfig config, Node node) {
        EffectiveMtls m = config.mtls(node.getNamespace(), new TreeMap<>(Labels.map(node.getLabelsList())));
        PeerAuthentication.Builder b = PeerAuthentication.newBuilder().setMode(mode(m.mode()));
        Map<Integer, String> modes = new TreeMap<>();
        m.perPort().forEach((port, mode) -> modes.put(port, mode(mode)));
        b.addAllPortModes(Labels.portModes(modes));
        return Resource.newBuilder().setName("peer-authentication").setResource(TypeUrls.pack(TypeUrls.PEER_AUTHENTICATION, b.build())).build();
    }

    private static String mode(MtlsMode m) {
        return m == MtlsMode.STRICT ? "STRICT" : "PERMISSIVE";
    }

    static List<Resource> endpoints(RegistrySnapshot snapshot) {
        List<Resource> out = new ArrayList<>();
        snapshot.namespaces().forEach((ns, services) -> services.forEach((service, workloads) -> {
            ServiceEndpoints.Builder b = ServiceEndpoints.newBuilder().setNamespace(ns).setService(service);
            for (Registration r : workloads) {
                SpiffeId owner = r.owner();
                b.addEndpoints(Endpoint.newBuilder().setAddress(r.workload().address()).setSpiffeId(owner.uri())
                        .setZone(r.workload().zone()).addAllLabels(Labels.of(r.workload().labels())));
            }
            out.add(Resource.newBuilder().setName(ns + "/" + service).setResource(TypeUrls.pack(TypeUrls.SERVICE_ENDPOINTS, b.build())).build());
        }));
        return out;
    }

    static Resource trustBundle(io.strait.mesh.identity.TrustBundle bundle) {
        TrustBundle.Builder b = TrustBundle.newBuilder();
        for (X509Certificate root : bundle.roots()) b.addRootsPem(io.strait.mesh.identity.TrustBundle.pem(root));
        return Resource.newBuilder().setName("trust-bundle").setResource(TypeUrls.pack(TypeUrls.TRUST_BUNDLE, b.build())).build();
    }
}
