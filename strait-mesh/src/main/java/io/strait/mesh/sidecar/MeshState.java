package io.strait.mesh.sidecar;

import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.HostPort;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.PoolConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.TrafficPolicy;
import io.strait.mesh.authz.AuthorizationPolicy;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.peerauth.PeerAuthentication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the control plane gives a sidecar, as one immutable value: its own SVID, the trust bundle, the peer
 * authentication mode, the authorization policies and the services it may call with their endpoints and traffic
 * settings. A new version replaces the whole value ({@link SidecarEngine#update}); the pieces that changed decide
 * what is rebuilt. {@link #toString()} never shows the key.
 *
 * @param services the services the workload may call, in any order; each is reached by its name
 */
public record MeshState(
        Svid svid,
        TrustBundle trustBundle,
        PeerAuthentication peerAuthentication,
        List<AuthorizationPolicy> policies,
        List<Service> services) {

    public MeshState {
        Objects.requireNonNull(svid, "svid");
        Objects.requireNonNull(trustBundle, "trustBundle");
        peerAuthentication = peerAuthentication == null ? PeerAuthentication.STRICT : peerAuthentication;
        policies = policies == null ? List.of() : List.copyOf(policies);
        services = services == null ? List.of() : List.copyOf(services);
    }

    /** This state with another SVID (a renewal), all else kept. */
    public MeshState withSvid(Svid next) {
        return new MeshState(next, trustBundle, peerAuthentication, policies, services);
    }

    /** This state with other services (an endpoint push), all else kept. */
    public MeshState withServices(List<Service> next) {
        return new MeshState(svid, trustBundle, peerAuthentication, policies, next);
    }

    /** This state with another trust bundle (a root rotation's step), all else kept. */
    public MeshState withTrustBundle(TrustBundle next) {
        return new MeshState(svid, next, peerAuthentication, policies, services);
    }

    /** This state with other authorization policies, all else kept. */
    public MeshState withPolicies(List<AuthorizationPolicy> next) {
        return new MeshState(svid, trustBundle, peerAuthentication, next, services);
    }

    /** This state with another peer authentication mode, all else kept. */
    public MeshState withPeerAuthentication(PeerAuthentication next) {
        return new MeshState(svid, trustBundle, next, policies, services);
    }


    /**
     * A service the workload may call.
     *
     * @param name its name ({@code orders}); the app calls it as {@code orders}, {@code orders.NS} or
     *     {@code orders.NS.svc.cluster.local}
     * @param namespace its namespace
     * @param endpoints its workloads, each with the identity its certificate must prove
     * @param traffic its retries, timeouts, breakers and balancing ({@link TrafficSettings#DEFAULT}: the engine's defaults)
     */
    public record Service(String name, String namespace, List<Endpoint> endpoints, TrafficSettings traffic) {
        public Service {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(namespace, "namespace");
            endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
            traffic = traffic == null ? TrafficSettings.DEFAULT : traffic;
        }
    }

    /**
     * One workload of a service: where its sidecar's inbound port is, and who it must be.
     *
     * @param identity the SPIFFE ID its certificate must carry (the registry's record of its service account)
     */
    public record Endpoint(HostPort address, SpiffeId identity, String zone, Map<String, String> labels) {
        public Endpoint {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(identity, "identity");
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    /**
     * A service's traffic settings; every field is optional (null: the engine's default).
     *
     * @param timeout the whole call's time to the response head
     * @param retries when failed attempts are retried
     * @param circuitBreaker the service's breakers
     * @param outlierDetection passive ejection of failing endpoints
     * @param loadBalancer how an endpoint is picked
     * @param pool the connection pool to each endpoint (Istio's {@code connectionPool})
     * @param routing a pinned subset or a weighted split over subsets by endpoint labels (v1 90 / v2 10)
     */
    public record TrafficSettings(Duration timeout, RetryPolicy retries, CircuitBreakerConfig circuitBreaker,
                                  OutlierDetectionConfig outlierDetection, LoadBalancerKind loadBalancer, PoolConfig pool,
                                  TrafficPolicy routing) {
        public static final TrafficSettings DEFAULT = new TrafficSettings(null, null, null, null, null, null, null);

        /** Settings without subsets or splits. */
        public TrafficSettings(Duration timeout, RetryPolicy retries, CircuitBreakerConfig circuitBreaker,
                               OutlierDetectionConfig outlierDetection, LoadBalancerKind loadBalancer, PoolConfig pool) {
            this(timeout, retries, circuitBreaker, outlierDetection, loadBalancer, pool, null);
        }
    }
}
