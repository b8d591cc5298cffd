package io.strait.mesh.controlplane;

import com.google.protobuf.Any;
import io.strait.mesh.api.v1.Endpoint;
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

    MeshResources(Supplier<RegistrySnapshot> registry, Supplier<io.strait.mesh.identity.TrustBundle> bundle) {
        this.registry = registry;
        this.bundle = bundle;
    }

    Map<String, VersionedResources> forNode(Node node) {
        Map<String, VersionedResources> out = new HashMap<>();
        out.put(TypeUrls.SERVICE_ENDPOINTS, VersionedResources.of(endpoints(registry.get())));
        out.put(TypeUrls.TRUST_BUNDLE, VersionedResources.of(List.of(trustBundle(bundle.get()))));
        return out;
    }

    static List<Resource> endpoints(RegistrySnapshot snapshot) {
        List<Resource> out = new ArrayList<>();
        snapshot.namespaces().forEach((ns, services) -> services.forEach((service, workloads) -> {
            ServiceEndpoints.Builder b = ServiceEndpoints.newBuilder().setNamespace(ns).setService(service);
            for (Registration r : workloads) {
                SpiffeId owner = r.owner();
                b.addEndpoints(Endpoint.newBuilder().setAddress(r.workload().address()).setSpiffeId(owner.uri())
                        .setZone(r.workload().zone()).putAllLabels(new TreeMap<>(r.workload().labels())));
            }
            out.add(Resource.newBuilder().setName(ns + "/" + service).setResource(Any.pack(b.build())).build());
        }));
        return out;
    }

    static Resource trustBundle(io.strait.mesh.identity.TrustBundle bundle) {
        TrustBundle.Builder b = TrustBundle.newBuilder();
        for (X509Certificate root : bundle.roots()) b.addRootsPem(io.strait.mesh.identity.TrustBundle.pem(root));
        return Resource.newBuilder().setName("trust-bundle").setResource(Any.pack(b.build())).build();
    }
}
