package io.strait.mesh.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import io.strait.config.model.HostPort;
import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import io.strait.mesh.api.Labels;
import io.strait.mesh.api.v1.AuthorizationPolicies;
import io.strait.mesh.api.v1.Endpoint;
import io.strait.mesh.authz.AuthorizationPolicy;
import io.strait.mesh.authz.PolicyJson;
import io.strait.config.load.ConfigException;
import io.strait.config.model.TrafficPolicy;
import io.strait.mesh.meshconfig.MeshConfigReader;
import io.strait.mesh.meshconfig.ServiceTrafficPolicy;
import io.strait.mesh.peerauth.PeerAuthMode;
import io.strait.mesh.peerauth.PeerAuthentication;
import io.strait.mesh.api.v1.Resource;
import io.strait.mesh.api.v1.ServiceEndpoints;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.sidecar.MeshState;
import io.strait.mesh.sidecar.MeshStateTarget;
import io.strait.mesh.transport.MeshCredentials;
import io.strait.mesh.xds.DiscoveryClient;
import io.strait.mesh.xds.TypeUrls;
import io.strait.proxy.core.ApplyResult;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the control plane's pushes into the sidecar's {@link MeshState} and applies them: a resource that
 * does not read, or a state the engine refuses, is refused as a whole with the reason (the stream NACKs it
 * and the sidecar keeps running its last good state).
 */
final class MeshUpdates {
    private final MeshStateTarget engine;
    private final MeshCredentials credentials;
    private final String trustDomain;
    /** The last traffic settings pushed, by {@code namespace/service}; written and read on the stream's thread. */
    private volatile Map<String, MeshState.TrafficSettings> traffic = Map.of();

    MeshUpdates(MeshStateTarget engine, MeshCredentials credentials, String trustDomain) {
        this.engine = engine;
        this.credentials = credentials;
        this.trustDomain = trustDomain;
    }

    /** The handlers by type, for the {@link DiscoveryClient}. */
    Map<String, DiscoveryClient.Handler> handlers() {
        return Map.of(TypeUrls.SERVICE_ENDPOINTS, (v, r) -> endpoints(r), TypeUrls.TRUST_BUNDLE, (v, r) -> trustBundle(r),
                TypeUrls.AUTHORIZATION_POLICIES, (v, r) -> policies(r), TypeUrls.PEER_AUTHENTICATION, (v, r) -> peerAuthentication(r),
                TypeUrls.TRAFFIC_SETTINGS, (v, r) -> trafficSettings(r));
    }

    /**
     * Every service's traffic settings, read with the control plane's own reader; kept for services that have no
     * endpoints yet, applied as each service's endpoints arrive.
     */
    Optional<String> trafficSettings(List<Resource> resources) {
        Map<String, MeshState.TrafficSettings> next = new java.util.HashMap<>();
        for (Resource r : resources) {
            try {
                io.strait.mesh.api.v1.TrafficSettings ts = TypeUrls.unpack(r.getResource(), TypeUrls.TRAFFIC_SETTINGS, io.strait.mesh.api.v1.TrafficSettings.parser());
                ServiceTrafficPolicy t = MeshConfigReader.trafficPolicy(ts.getSettingsJson(), r.getName());
                TrafficPolicy routing = t.split().isEmpty() ? null : new TrafficPolicy(Map.of(), t.split(), null, null, null);
                next.put(t.serviceId(), new MeshState.TrafficSettings(t.timeout() == null || t.timeout().isZero() ? null : t.timeout(), t.retries(),
                        t.circuitBreaker(), t.outlierDetection(), null, null, routing));
            } catch (InvalidProtocolBufferException e) {
                return Optional.of(r.getName() + ": not TrafficSettings: " + e.getMessage());
            } catch (ConfigException e) {
                return Optional.of(String.join("; ", e.errors()));
            }
        }
        Map<String, MeshState.TrafficSettings> previous = traffic;
        traffic = Map.copyOf(next);
        List<MeshState.Service> services = engine.state().services().stream()
                .map(s -> new MeshState.Service(s.name(), s.namespace(), s.endpoints(), settingsOf(s.namespace(), s.name())))
                .toList();
        Optional<String> refused = applied(engine.update(engine.state().withServices(services)));
        if (refused.isPresent()) traffic = previous;
        return refused;
    }

    /** The pushed settings of a service, or the engine's defaults. */
    private MeshState.TrafficSettings settingsOf(String namespace, String service) {
        return traffic.getOrDefault(namespace + "/" + service, MeshState.TrafficSettings.DEFAULT);
    }

    Optional<String> policies(List<Resource> resources) {
        if (resources.size() != 1) return Optional.of("expected one set of authorization policies, got " + resources.size());
        List<AuthorizationPolicy> policies = new ArrayList<>();
        try {
            AuthorizationPolicies ap = TypeUrls.unpack(resources.get(0).getResource(), TypeUrls.AUTHORIZATION_POLICIES, AuthorizationPolicies.parser());
            for (int i = 0; i < ap.getPoliciesJsonCount(); i++) {
                try {
                    policies.add(PolicyJson.read(ap.getPoliciesJson(i)));
                } catch (IllegalArgumentException e) {
                    return Optional.of("authorization policy " + i + ": " + e.getMessage());
                }
            }
        } catch (InvalidProtocolBufferException e) {
            return Optional.of("not AuthorizationPolicies: " + e.getMessage());
        }
        return applied(engine.update(engine.state().withPolicies(policies)));
    }

    Optional<String> peerAuthentication(List<Resource> resources) {
        if (resources.size() != 1) return Optional.of("expected one peer authentication, got " + resources.size());
        try {
            io.strait.mesh.api.v1.PeerAuthentication pa = TypeUrls.unpack(resources.get(0).getResource(), TypeUrls.PEER_AUTHENTICATION, io.strait.mesh.api.v1.PeerAuthentication.parser());
            PeerAuthMode mode = mode(pa.getMode());
            if (mode == null) return Optional.of("peer authentication mode '" + pa.getMode() + "' is not STRICT or PERMISSIVE");
            Map<Integer, PeerAuthMode> ports = new java.util.TreeMap<>();
            for (Map.Entry<Integer, String> e : Labels.portModes(pa.getPortModesList()).entrySet()) {
                PeerAuthMode m = mode(e.getValue());
                if (m == null) return Optional.of("peer authentication of port " + e.getKey() + ": '" + e.getValue() + "' is not STRICT or PERMISSIVE");
                ports.put(e.getKey(), m);
            }
            return applied(engine.update(engine.state().withPeerAuthentication(new PeerAuthentication(mode, ports))));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            return Optional.of("peer authentication: " + e.getMessage());
        }
    }

    private static PeerAuthMode mode(String text) {
        return switch (text) {
            case "STRICT" -> PeerAuthMode.STRICT;
            case "PERMISSIVE" -> PeerAuthMode.PERMISSIVE;
            default -> null;
        };
    }

    Optional<String> endpoints(List<Resource> resources) {
        MeshState current = engine.state();
        List<MeshState.Service> services = new ArrayList<>();
        for (Resource r : resources) {
            ServiceEndpoints se;
            try {
                se = TypeUrls.unpack(r.getResource(), TypeUrls.SERVICE_ENDPOINTS, ServiceEndpoints.parser());
            } catch (InvalidProtocolBufferException e) {
                return Optional.of(r.getName() + ": not a ServiceEndpoints: " + e.getMessage());
            }
            List<MeshState.Endpoint> endpoints = new ArrayList<>();
            for (Endpoint e : se.getEndpointsList()) {
                HostPort address = HostPort.parse(e.getAddress());
                if (address == null || address.port() == 0) return Optional.of(r.getName() + ": endpoint address '" + e.getAddress() + "' is not host:port");
                SpiffeId id;
                try {
                    id = SpiffeId.parse(e.getSpiffeId());
                } catch (IllegalArgumentException ex) {
                    return Optional.of(r.getName() + ": endpoint " + e.getAddress() + ": " + ex.getMessage());
                }
                endpoints.add(new MeshState.Endpoint(address, id, e.getZone().isEmpty() ? null : e.getZone(), Labels.map(e.getLabelsList())));
            }
            services.add(new MeshState.Service(se.getService(), se.getNamespace(), endpoints, settingsOf(se.getNamespace(), se.getService())));
        }
        return applied(engine.update(current.withServices(services)));
    }

    Optional<String> trustBundle(List<Resource> resources) {
        if (resources.size() != 1) return Optional.of("expected one trust bundle, got " + resources.size());
        try {
            io.strait.mesh.api.v1.TrustBundle tb = TypeUrls.unpack(resources.get(0).getResource(), TypeUrls.TRUST_BUNDLE, io.strait.mesh.api.v1.TrustBundle.parser());
            List<X509Certificate> roots = new ArrayList<>();
            for (String pem : tb.getRootsPemList()) roots.addAll(Pem.certificates(pem.getBytes(StandardCharsets.US_ASCII)));
            if (roots.isEmpty()) return Optional.of("the trust bundle has no root");
            TrustBundle bundle = TrustBundle.of(trustDomain, roots.get(0));
            for (int i = 1; i < roots.size(); i++) bundle = bundle.withRoot(roots.get(i));
            Optional<String> refused = applied(engine.update(engine.state().withTrustBundle(bundle)));
            if (refused.isEmpty()) credentials.bundle(bundle);
            return refused;
        } catch (InvalidProtocolBufferException | PemException | IllegalArgumentException e) {
            return Optional.of("trust bundle: " + e.getMessage());
        }
    }

    private static Optional<String> applied(ApplyResult result) {
        return result.applied() ? Optional.empty() : Optional.of(String.join("; ", result.errors()));
    }
}
