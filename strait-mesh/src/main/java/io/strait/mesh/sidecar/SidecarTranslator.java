package io.strait.mesh.sidecar;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.AdminConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.FilterSpec;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.ObservabilityConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.StraitConfig;
import io.strait.config.model.TlsConfig;
import io.strait.config.model.TrafficPolicy;
import io.strait.config.model.UpstreamTlsConfig;
import io.strait.mesh.authz.AuthzConfig;
import io.strait.mesh.authz.AuthzEngine;
import io.strait.mesh.authz.AuthzFactory;
import io.strait.mesh.peerauth.PeerAuthConfig;
import io.strait.mesh.peerauth.PeerAuthFactory;
import io.strait.mesh.peerauth.PeerAuthMode;
import io.strait.mesh.sidecar.outbound.MeshOutboundConfig;
import io.strait.mesh.sidecar.outbound.MeshOutboundFactory;
import io.strait.mesh.telemetry.MeshMetricsConfig;
import io.strait.mesh.telemetry.MeshMetricsFactory;
import io.strait.mesh.xfcc.XfccConfig;
import io.strait.mesh.xfcc.XfccFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a sidecar's config and the control plane's {@link MeshState} into the engine's {@link StraitConfig}.
 * Pure: no I/O, the same input gives an equal config (so an unchanged state applies nothing new).
 *
 * <ul>
 *   <li>Listener {@value #INBOUND} (TLS with the SVID; client certificates required in STRICT, optional with
 *       plaintext also accepted in PERMISSIVE) serves route {@value #INBOUND}: {@code meshMetrics}, {@code peerauth}, {@code authz},
 *       {@code xfcc}, then cluster {@value #APP_CLUSTER}, the app on 127.0.0.1.
 *   <li>Listener {@value #OUTBOUND} (plain HTTP on 127.0.0.1) routes by {@code Host}: {@code NAME} (services of the
 *       sidecar's own namespace), {@code NAME.NS} and {@code NAME.NS.svc.cluster.local}; listener
 *       {@code outbound-KEY} for each local port of {@code outbound.services} routes everything to that service.
 *       Both run {@code meshOutbound} first: an unknown name is a 404 and a service without endpoints a 503, each
 *       saying so. Each service's route runs {@code meshMetrics} (reporter source).
 *   <li>Cluster {@code NAME.NS} per service: mutual TLS with the SVID, the trust bundle as CAs, and the
 *       endpoints' SPIFFE IDs as the names the server certificate must carry.
 * </ul>
 *
 * The engine checks a cluster's server certificate against one list of names, not one per endpoint: a service
 * whose endpoints run as different accounts accepts any of those accounts on each endpoint (a service normally
 * runs as one account, and then the check is exact).
 */
final class SidecarTranslator {
    static final String INBOUND = "inbound";
    static final String OUTBOUND = "outbound";
    /** The cluster of the local app. */
    static final String APP_CLUSTER = "inbound-app";
    /** Kubernetes' cluster domain, the suffix of a service's fully qualified name. */
    static final String CLUSTER_DOMAIN = "svc.cluster.local";
    /**
     * Stand-ins for the files a tls section names: the SVID and the trust bundle come from the sidecar's
     * certificate source (set by code), so these are never read; {@code GET /config} shows them.
     */
    static final Path SVID_FROM_CONTROL_PLANE = Path.of("(svid from the control plane)");
    static final Path KEY_FROM_CONTROL_PLANE = Path.of("(svid key, in memory)");
    static final Path BUNDLE_FROM_CONTROL_PLANE = Path.of("(trust bundle from the control plane)");
    /** Only the mesh's own TLS: SVIDs are EC P-256 and every Strait and Envoy sidecar speaks TLS 1.3. */
    static final String MESH_TLS_VERSION = TlsConfig.TLS_1_3;
    /**
     * How soon the inbound listener takes up a changed mode (STRICT/PERMISSIVE client certificates): its tls
     * settings are checked this often. Nothing is read from disk for it.
     */
    static final Duration TLS_SETTINGS_CHECK = Duration.ofMillis(500);

    /** The engine's own defaults, read once from a minimal document: every field the translation does not set. */
    private static final Template T = Template.read();

    private record Template(StraitConfig config, ListenerConfig listener, ClusterConfig cluster, RouteConfig route) {
        static Template read() {
            try {
                StraitConfig c = ConfigLoader.parse("""
                        listeners: [{name: t, address: "127.0.0.1:1"}]
                        clusters: {t: {endpoints: [{address: "127.0.0.1:1"}]}}
                        routes: [{name: t, match: {pathPrefix: /}, cluster: t}]
                        """, "sidecar defaults");
                return new Template(c, c.listeners().get(0), c.clusters().get("t"), c.routes().get(0));
            } catch (ConfigException e) {
                throw new IllegalStateException("the sidecar's template does not load: " + e.errors(), e);
            }
        }
    }

    private SidecarTranslator() {}

    /** The cluster name of a service: {@code NAME.NS}. */
    static String clusterName(MeshState.Service s) {
        return s.name() + "." + s.namespace();
    }

    /** The listener name of a local outbound port. */
    static String portListener(String key) {
        return OUTBOUND + "-" + key;
    }

    /**
     * The inbound port's mode: the stricter of the control plane's (for the app's port) and the sidecar config's
     * {@code inbound.mode}. A workload may require mTLS where the mesh still allows plaintext, never the reverse: a
     * {@code PeerAuthentication} that says STRICT is the mesh operator's, and one sidecar's file must not undo it.
     */
    static PeerAuthMode mode(SidecarConfig sc, MeshState state) {
        PeerAuthMode pushed = state.peerAuthentication().modeFor(sc.inbound().appPort());
        PeerAuthMode local = sc.inbound().mode();
        return local == PeerAuthMode.STRICT || pushed == PeerAuthMode.STRICT ? PeerAuthMode.STRICT : PeerAuthMode.PERMISSIVE;
    }

    static StraitConfig translate(SidecarConfig sc, MeshState state) {
        return translate(sc, state, null);
    }

    /** As {@link #translate(SidecarConfig, MeshState)}, with the access log and tracing of {@code observability} (null: the defaults). */
    static StraitConfig translate(SidecarConfig sc, MeshState state, ObservabilityConfig observability) {
        List<ListenerConfig> listeners = new ArrayList<>();
        Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
        List<RouteConfig> routes = new ArrayList<>();

        clusters.put(APP_CLUSTER, cluster(APP_CLUSTER, List.of(endpoint(new HostPort(SidecarConfig.LOOPBACK, sc.inbound().appPort()),
                null, Map.of())), null, MeshState.TrafficSettings.DEFAULT));
        routes.add(inboundRoute(sc, state, routes.size()));
        listeners.add(inboundListener(sc, state));

        List<String> outboundRoutes = new ArrayList<>();
        Map<String, String> known = new LinkedHashMap<>();
        Set<String> empty = new LinkedHashSet<>();
        for (MeshState.Service s : state.services()) {
            String name = clusterName(s);
            List<String> hosts = new ArrayList<>();
            if (s.namespace().equals(sc.namespace())) hosts.add(s.name());
            hosts.add(name);
            hosts.add(name + "." + CLUSTER_DOMAIN);
            hosts.forEach(h -> known.put(h, name));
            if (s.endpoints().isEmpty()) { // no cluster without endpoints: meshOutbound answers for it
                empty.add(name);
                continue;
            }
            clusters.put(name, serviceCluster(s));
            routes.add(route(OUTBOUND + "." + name, hosts, name, routing(s), s.traffic(), outboundMetrics(sc, state, s, routes.size())));
            outboundRoutes.add(OUTBOUND + "." + name);
        }
        listeners.add(listener(OUTBOUND, new HostPort(SidecarConfig.LOOPBACK, sc.outbound().port()), null, outboundRoutes,
                guard(listeners.size(), known, empty, null)));
        for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(sc.outbound().services()).entrySet()) { // in name order
            MeshState.Service s = find(state, sc, e.getKey());
            List<String> named = new ArrayList<>();
            if (s != null && !s.endpoints().isEmpty()) {
                String route = portListener(e.getKey());
                routes.add(route(route, List.of(), clusterName(s), routing(s), s.traffic(), outboundMetrics(sc, state, s, routes.size())));
                named.add(route);
            }
            String target = s != null ? clusterName(s) : e.getKey();
            listeners.add(listener(portListener(e.getKey()), new HostPort(SidecarConfig.LOOPBACK, e.getValue()), null, named,
                    guard(listeners.size(), known, empty, target)));
        }
        StraitConfig t = T.config();
        AdminConfig admin = new AdminConfig(new HostPort(SidecarConfig.LOOPBACK, sc.admin().port()));
        return new StraitConfig(admin, listeners, clusters, routes, named(observability != null ? observability : observability(sc, t), sc), sc.zone(),
                t.drainTimeout(), t.auth(),
                t.rateLimits());
    }

    /**
     * A sidecar's spans carry its service's name ({@code service.name}, as Istio's carry the workload's) unless the
     * tracing settings (or {@code OTEL_SERVICE_NAME}) name another.
     */
    private static ObservabilityConfig named(ObservabilityConfig o, SidecarConfig sc) {
        ObservabilityConfig.Tracing t = o.tracing();
        if (t.serviceName() != null || System.getenv("OTEL_SERVICE_NAME") != null) return o;
        return new ObservabilityConfig(o.accessLog(), new ObservabilityConfig.Tracing(t.otlpEndpoint(), sc.service(), t.sampleRatio(),
                t.headers(), t.recentTraces()));
    }

    /** The engine's default access log and tracing, with the sidecar file's {@code accessLog}. */
    private static ObservabilityConfig observability(SidecarConfig sc, StraitConfig template) {
        ObservabilityConfig o = template.observability();
        SidecarConfig.AccessLog a = sc.accessLog();
        if (a.equals(SidecarConfig.AccessLog.DEFAULT)) return o;
        return new ObservabilityConfig(new ObservabilityConfig.AccessLog(a.enabled(), a.path() == null ? o.accessLog().path()
                : a.path().toString(), o.accessLog().fields()), o.tracing());
    }

    /** The service a local port names: {@code NAME} in the sidecar's namespace, or {@code NAME.NS}; null when unknown. */
    static MeshState.Service find(MeshState state, SidecarConfig sc, String key) {
        for (MeshState.Service s : state.services()) {
            if (key.equals(clusterName(s)) || key.equals(s.name()) && s.namespace().equals(sc.namespace())) return s;
        }
        return null;
    }

    private static ListenerConfig inboundListener(SidecarConfig sc, MeshState state) {
        boolean permissive = mode(sc, state) == PeerAuthMode.PERMISSIVE;
        TlsConfig tls = new TlsConfig(List.of(new TlsConfig.Certificate(SVID_FROM_CONTROL_PLANE, KEY_FROM_CONTROL_PLANE, List.of())),
                MESH_TLS_VERSION, T.listener().tls() == null ? ConfigLoader.DEFAULT_ALPN : T.listener().tls().alpn(),
                new TlsConfig.ClientAuth(permissive ? TlsConfig.ClientAuth.Mode.OPTIONAL : TlsConfig.ClientAuth.Mode.REQUIRE,
                        BUNDLE_FROM_CONTROL_PLANE),
                null, TLS_SETTINGS_CHECK, permissive);
        return listener(INBOUND, new HostPort(sc.inbound().address(), sc.inbound().port()), tls, List.of(INBOUND), List.of());
    }

    /** The outbound listener {@code index}'s {@code meshOutbound} filter. */
    private static List<FilterSpec> guard(int index, Map<String, String> known, Set<String> empty, String service) {
        return List.of(new FilterSpec(MeshOutboundFactory.NAME, new MeshOutboundConfig(known, empty, service),
                "listeners[" + index + "].filters[0]"));
    }

    private static RouteConfig inboundRoute(SidecarConfig sc, MeshState state, int index) {
        String at = "routes[" + index + "].filters";
        MeshMetricsConfig metrics = new MeshMetricsConfig(MeshMetricsConfig.DESTINATION, self(sc, state), null,
                fqdn(sc.service(), sc.namespace()), workloads(state));
        List<FilterSpec> filters = List.of(
                new FilterSpec(MeshMetricsFactory.NAME, metrics, at + "[0]"), // first: it sees every answer, denials too
                new FilterSpec(PeerAuthFactory.NAME, new PeerAuthConfig(state.trustBundle().trustDomain()), at + "[1]"),
                new FilterSpec(AuthzFactory.NAME, new AuthzConfig(List.of(), sc.namespace(), sc.labels(),
                        AuthzEngine.DEFAULT_ROOT_NAMESPACE, state.policies()), at + "[2]"),
                new FilterSpec(XfccFactory.NAME, new XfccConfig(state.svid().id().uri()), at + "[3]"));
        return route(INBOUND, List.of(), APP_CLUSTER, null, MeshState.TrafficSettings.DEFAULT, filters);
    }

    /** This workload as the mesh metrics name it: its service, namespace and SPIFFE ID. */
    private static MeshMetricsConfig.Party self(SidecarConfig sc, MeshState state) {
        return new MeshMetricsConfig.Party(sc.service(), sc.namespace(), state.svid().id().uri());
    }

    /** A service's name as Istio's {@code destination_service} writes it: {@code NAME.NS.svc.cluster.local}. */
    static String fqdn(String service, String namespace) {
        return service + "." + namespace + "." + CLUSTER_DOMAIN;
    }

    /** The {@code meshMetrics} filter of the outbound route {@code index} to {@code s} (reporter source). */
    private static List<FilterSpec> outboundMetrics(SidecarConfig sc, MeshState state, MeshState.Service s, int index) {
        Set<String> ids = new LinkedHashSet<>();
        s.endpoints().forEach(e -> ids.add(e.identity().uri()));
        MeshMetricsConfig.Party peer = new MeshMetricsConfig.Party(s.name(), s.namespace(),
                ids.size() == 1 ? ids.iterator().next() : MeshMetricsConfig.UNKNOWN);
        return List.of(new FilterSpec(MeshMetricsFactory.NAME, new MeshMetricsConfig(MeshMetricsConfig.SOURCE, self(sc, state), peer,
                fqdn(s.name(), s.namespace()), Map.of()), "routes[" + index + "].filters[0]"));
    }

    /** Each SPIFFE ID the mesh's workloads run as, to its service, where exactly one service's workloads run as it. */
    static Map<String, String> workloads(MeshState state) {
        Map<String, String> out = new java.util.TreeMap<>();
        Set<String> shared = new java.util.HashSet<>();
        for (MeshState.Service s : state.services()) {
            for (MeshState.Endpoint e : s.endpoints()) {
                String id = e.identity().uri();
                String before = out.putIfAbsent(id, s.name());
                if (before != null && !before.equals(s.name())) shared.add(id);
            }
        }
        out.keySet().removeAll(shared);
        return out;
    }

    private static ListenerConfig listener(String name, HostPort address, TlsConfig tls, List<String> routes,
            List<FilterSpec> filters) {
        ListenerConfig l = T.listener();
        return new ListenerConfig(name, address, l.protocols(), l.maxRequestLineLength(), l.maxHeaderSize(), l.maxHeaderCount(),
                l.maxRequestBodySize(), l.requestHeadersTimeout(), l.requestTimeout(), l.idleTimeout(), l.xffTrustedHops(),
                l.paths(), tls, null, List.copyOf(routes), filters);
    }

    /**
     * The service's subset or split. A split entry whose subset has no endpoint at the moment is left out until one
     * appears (endpoints come and go; the engine refuses a split to an empty subset); with none left the route uses
     * the whole service. A pinned subset is kept as it is: without endpoints the state is refused, saying why.
     */
    static TrafficPolicy routing(MeshState.Service s) {
        TrafficPolicy p = s.traffic().routing();
        if (p == null || p.split().isEmpty()) return p;
        List<TrafficPolicy.Split> live = p.split().stream()
                .filter(split -> s.endpoints().stream().anyMatch(e -> e.labels().entrySet().containsAll(split.subset().entrySet())))
                .toList();
        if (live.size() == p.split().size()) return p;
        return new TrafficPolicy(p.subset(), live, live.isEmpty() ? null : p.stickyOn(), p.mirror(), p.fault());
    }

    private static RouteConfig route(String name, List<String> hosts, String cluster, TrafficPolicy routing,
            MeshState.TrafficSettings traffic, List<FilterSpec> filters) {
        RouteConfig r = T.route();
        RouteMatch m = r.match();
        RouteMatch match = new RouteMatch(m.pathKind(), m.path(), hosts, m.methods(), m.headers(), m.query(), m.cookies());
        return new RouteConfig(name, match, cluster, r.rewrite(), traffic.timeout() != null ? traffic.timeout() : r.timeout(),
                r.maxRequestBodySize(), filters, traffic.retries() != null ? traffic.retries() : r.retries(), r.idleTimeout(),
                r.timeoutHeader(), routing != null ? routing : r.traffic());
    }

    private static ClusterConfig serviceCluster(MeshState.Service s) {
        List<EndpointConfig> endpoints = new ArrayList<>();
        LinkedHashSet<String> identities = new LinkedHashSet<>();
        for (MeshState.Endpoint e : s.endpoints()) {
            endpoints.add(endpoint(e.address(), e.zone(), e.labels()));
            identities.add(e.identity().uri());
        }
        String sni = fqdn(s.name(), s.namespace());
        UpstreamTlsConfig tls = new UpstreamTlsConfig(sni, null, null, null, List.copyOf(identities), MESH_TLS_VERSION,
                ConfigLoader.DEFAULT_TLS_RELOAD_CHECK_INTERVAL);
        return cluster(clusterName(s), endpoints, tls, s.traffic());
    }

    private static EndpointConfig endpoint(HostPort address, String zone, Map<String, String> labels) {
        return new EndpointConfig(address, zone, labels, ConfigLoader.DEFAULT_ENDPOINT_WEIGHT);
    }

    private static ClusterConfig cluster(String name, List<EndpointConfig> endpoints, UpstreamTlsConfig tls,
            MeshState.TrafficSettings traffic) {
        ClusterConfig c = T.cluster();
        ClusterConfig.LoadBalancerKind lb = traffic.loadBalancer() != null ? traffic.loadBalancer() : c.loadBalancer();
        return new ClusterConfig(name, endpoints, lb, c.hashOn(),
                lb == ClusterConfig.LoadBalancerKind.ZONE_AWARE ? new ClusterConfig.ZoneAware(ConfigLoader.DEFAULT_ZONE_MIN_HEALTHY_PERCENT) : c.zoneAware(),
                c.protocol(), traffic.pool() != null ? traffic.pool() : c.pool(), c.healthCheck(), c.dnsRefresh(),
                traffic.circuitBreaker() != null ? traffic.circuitBreaker() : c.circuitBreaker(),
                traffic.outlierDetection() != null ? traffic.outlierDetection() : c.outlierDetection(), tls);
    }
}
