package io.strait.cli.demo;

import io.strait.config.load.ConfigLoader;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.ObservabilityConfig;
import io.strait.mesh.agent.MeshAgent;
import io.strait.mesh.agent.MeshClientIdentity;
import io.strait.mesh.traces.SpanShipper;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.controlplane.ControlPlane;
import io.strait.mesh.sidecar.MeshState;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.mesh.xds.TypeUrls;
import io.strait.proxy.runtime.ProxyServer;
import io.strait.proxy.tls.InMemoryCertificateSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's mesh, in the demo's process with the real classes: a control plane (trust domain {@value #TRUST_DOMAIN},
 * a CA generated afresh at every start in {@code .strait/mesh/control-plane}, API and admin on ephemeral loopback
 * ports, the policies of {@code .strait/mesh/policies}), a sidecar beside each demo service instance (inbound STRICT
 * mutual TLS on an ephemeral loopback port, forwarding to the instance), a {@value #CHECKOUT} workload (the orders
 * caller the policy allows) and the gateway's own mesh identity ({@link MeshClientIdentity}). Each instance
 * registers under its service's name in namespace {@value #NAMESPACE}, with the service's name as its account and
 * {@code app} and {@code version} labels. Join tokens live only in memory, one per workload, single use.
 */
final class DemoMesh implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoMesh.class);
    static final String TRUST_DOMAIN = "cluster.local";
    static final String NAMESPACE = "default";
    static final String GATEWAY_ACCOUNT = "gateway";
    /** The demo's orders caller: a workload with a trivial app, whose sidecar's outbound port may POST orders. */
    static final String CHECKOUT = "checkout";
    /** Short enough that an afternoon with the demo sees renewals (at half-life), each without a failed request. */
    static final Duration SVID_TTL = Duration.ofHours(1);
    /** A join token is spent within the start; one hour is the shortest a token lives. */
    static final Duration TOKEN_TTL = Duration.ofHours(1);
    /** How long the start may take for every workload to be registered and every sidecar to run the pushed config. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    /** Sidecars started at once: each start waits on a CSR round trip more than on the CPU. */
    private static final int STARTERS = 4;

    private final Path dir;
    private final List<DemoService> apps = new ArrayList<>();
    private final Map<DemoService, MeshAgent> sidecars = new LinkedHashMap<>();
    private ControlPlane controlPlane;
    private MeshClientIdentity gateway;
    /** The demo gateway's spans on their way to the control plane, once {@link #feed} ran. */
    private SpanShipper spans;
    private AutoCloseable feed;

    private DemoMesh(Path dir) {
        this.dir = dir;
    }

    /** Starts the mesh with a sidecar beside each of {@code services} (and the checkout workload); returns once it has settled. */
    static DemoMesh start(Path demoDir, List<DemoService> services) throws Exception {
        DemoMesh m = new DemoMesh(demoDir.toAbsolutePath().resolve("mesh"));
        long started = System.nanoTime();
        Runnable loud = quietWhileStarting();
        try {
            m.startControlPlane();
            List<DemoService> all = new ArrayList<>(services);
            DemoService checkout = new DemoService(CHECKOUT, 1, "v1");
            m.apps.add(checkout);
            all.add(checkout);
            m.startSidecars(all);
            m.gateway = MeshClientIdentity.start(new MeshClientIdentity.Settings(new HostPort("127.0.0.1", m.controlPlane.apiPort()),
                    m.controlPlane.bundle().pem(), m.token(GATEWAY_ACCOUNT), NAMESPACE, GATEWAY_ACCOUNT, TRUST_DOMAIN), Clock.systemUTC());
            m.settle();
            loud.run();
            log.info("demo: the mesh is up in {} ms: a control plane (admin {}), {} sidecars, the gateway's SVID {}; sidecar access logs in {}",
                    (System.nanoTime() - started) / 1_000_000, m.adminUrl(), m.sidecars.size(), spiffeId(GATEWAY_ACCOUNT), m.dir.resolve(LOGS_DIR));
            return m;
        } catch (Exception e) {
            loud.run();
            m.close();
            throw e;
        }
    }

    /**
     * With the log at INFO, holds it at WARN while the mesh starts (each sidecar's TLS set-up and each config push is
     * a line: some 170 of them would bury the gateway's); returns what puts INFO back. Any other level is left alone.
     */
    private static Runnable quietWhileStarting() {
        if (!(LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root)) return () -> {};
        if (root.getLevel() != ch.qos.logback.classic.Level.INFO) return () -> {};
        root.setLevel(ch.qos.logback.classic.Level.WARN);
        return () -> root.setLevel(ch.qos.logback.classic.Level.INFO);
    }

    private void startControlPlane() throws Exception {
        Path data = dir.resolve("control-plane");
        deleteTree(data); // a fresh CA, registry and token store at every start, as demo.yaml and the API key are
        Path policies = Files.createDirectories(dir.resolve("policies"));
        Files.writeString(policies.resolve(POLICY_FILE), DemoPolicies.ORDERS);
        Files.writeString(policies.resolve(MTLS_FILE), DemoPolicies.STRICT_MTLS);
        ControlPlaneConfig config = new ControlPlaneConfig(TRUST_DOMAIN, data,
                new ControlPlaneConfig.CaConfig(null, null, null, null, data.resolve(ControlPlaneConfig.DEFAULT_CA_SUBDIR)),
                new ControlPlaneConfig.SvidConfig(SVID_TTL), null, null, List.of(policies), null);
        controlPlane = ControlPlane.start(config, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0),
                Clock.systemUTC(), List.of());
        Files.writeString(trustBundleFile(), controlPlane.bundle().pem());
    }

    static final String POLICY_FILE = "orders.yaml";
    static final String MTLS_FILE = "mtls.yaml";

    private String token(String account) {
        return controlPlane.tokens().create(NAMESPACE, account, TOKEN_TTL, 1).join().token();
    }

    /**
     * The access log of the sidecar beside {@code app}: one file each, so that the demo's own output stays the
     * gateway's (and a user can {@code tail -f} the orders sidecar to watch the denials).
     */
    Path accessLog(DemoService app) {
        return dir.resolve(LOGS_DIR).resolve(app.instance() + ".access.log");
    }

    static final String LOGS_DIR = "logs";

    private void startSidecars(List<DemoService> services) throws Exception {
        deleteTree(dir.resolve(LOGS_DIR));
        Files.createDirectories(dir.resolve(LOGS_DIR));
        ExecutorService starters = Executors.newFixedThreadPool(STARTERS, Thread.ofPlatform().name("strait-demo-sidecar-", 0).factory());
        try {
            Map<DemoService, Future<MeshAgent>> started = new LinkedHashMap<>();
            for (DemoService s : services) {
                SidecarConfig c = new SidecarConfig(s.service(), NAMESPACE, s.service(), null, Map.of("app", s.service(), "version", s.version()),
                        new SidecarConfig.ControlPlane(new HostPort("127.0.0.1", controlPlane.apiPort()), trustBundleFile(), token(s.service()), null,
                                TRUST_DOMAIN),
                        new SidecarConfig.Inbound(SidecarConfig.LOOPBACK, 0, s.port(), null), new SidecarConfig.Outbound(0, Map.of()),
                        new SidecarConfig.Admin(0));
                ObservabilityConfig logs = new ObservabilityConfig(new ObservabilityConfig.AccessLog(true, accessLog(s).toString(),
                        ConfigLoader.DEFAULT_ACCESS_LOG_FIELDS), new ObservabilityConfig.Tracing(null, null, null,
                        Map.of(), ConfigLoader.DEFAULT_RECENT_TRACES));
                started.put(s, starters.submit(() -> MeshAgent.start(c, Clock.systemUTC(), logs)));
            }
            Exception failed = null;
            for (var e : started.entrySet()) { // every start is awaited, so that each started sidecar is closed
                try {
                    sidecars.put(e.getKey(), e.getValue().get());
                } catch (java.util.concurrent.ExecutionException ex) {
                    if (failed == null) failed = new IllegalStateException("sidecar of " + e.getKey().instance() + ": " + ex.getCause().getMessage());
                }
            }
            if (failed != null) throw failed;
        } finally {
            starters.shutdown();
        }
    }

    /**
     * Waits until every workload is registered, every sidecar runs the control plane's endpoints and policies with
     * every workload in them, and the gateway knows every endpoint: then the first call of a user meets the mesh
     * as the policy says, never a sidecar that has not heard of orders yet.
     */
    private void settle() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        int workloads = sidecars.size();
        while (!settled(workloads)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the demo's mesh did not settle within " + SETTLE_TIMEOUT.toSeconds() + "s: "
                        + controlPlane.registry().snapshot().size() + " of " + workloads + " workloads registered");
            }
            Thread.sleep(50); // the start's own thread, no event loop
        }
    }

    private boolean settled(int workloads) {
        if (controlPlane.registry().snapshot().size() != workloads) return false;
        if (gateway.endpoints().values().stream().mapToInt(List::size).sum() != workloads) return false;
        for (MeshAgent a : sidecars.values()) {
            var accepted = a.config().accepted();
            if (!accepted.containsKey(TypeUrls.AUTHORIZATION_POLICIES) || !accepted.containsKey(TypeUrls.PEER_AUTHENTICATION)) return false;
            if (a.engine().state().services().stream().mapToInt(s -> s.endpoints().size()).sum() != workloads) return false;
        }
        return true;
    }

    /**
     * Feeds the pushed endpoints of the mesh's services to the gateway's clusters of the same names: a workload that
     * leaves the registry leaves the gateway's rotation, one that joins enters it. A file reload of the gateway sets
     * the file's endpoints again until the next push.
     */
    void feed(ProxyServer proxy, Collection<String> clusters) {
        spans = new SpanShipper(gateway::channel, "demo gateway"); // the gateway's spans join the sidecars' at the control plane
        proxy.spanSinks().add(spans);
        feed = gateway.onEndpoints(pushed -> {
            for (String cluster : clusters) {
                List<EndpointConfig> endpoints = pushed.getOrDefault(NAMESPACE + "/" + cluster, List.of()).stream()
                        .sorted(Comparator.comparing(e -> e.address().toString()))
                        .map(DemoMesh::endpoint).toList();
                try {
                    proxy.setEndpoints(cluster, endpoints);
                } catch (IllegalArgumentException e) { // the cluster was edited out of demo.yaml
                    log.debug("demo: cluster {} not fed: {}", cluster, e.getMessage());
                }
            }
        });
    }

    private static EndpointConfig endpoint(MeshState.Endpoint e) {
        return new EndpointConfig(e.address(), e.zone(), Map.of("version", e.labels().getOrDefault("version", "v1")),
                ConfigLoader.DEFAULT_ENDPOINT_WEIGHT);
    }

    /** The inbound address (STRICT mutual TLS) of the sidecar beside {@code app}. */
    HostPort inbound(DemoService app) {
        return new HostPort(SidecarConfig.LOOPBACK, sidecars.get(app).engine().inboundPort());
    }

    /** The outbound address (plain HTTP, {@code Host: <service>}) of the sidecar beside {@code app}. */
    HostPort outbound(DemoService app) {
        return new HostPort(SidecarConfig.LOOPBACK, sidecars.get(app).engine().outboundPort());
    }

    /** The first instance of {@code service} (checkout included). */
    DemoService first(String service) {
        return sidecars.keySet().stream().filter(s -> s.service().equals(service)).findFirst().orElseThrow();
    }

    /** The gateway's SVID, key and trust bundle, for its clusters. */
    InMemoryCertificateSource gatewayCertificates() {
        return gateway.certificates();
    }

    MeshClientIdentity gatewayIdentity() {
        return gateway;
    }

    Map<DemoService, MeshAgent> sidecars() {
        return sidecars;
    }

    ControlPlane controlPlane() {
        return controlPlane;
    }

    String adminUrl() {
        return "http://127.0.0.1:" + controlPlane.adminPort();
    }

    Path trustBundleFile() {
        return dir.resolve("trust-bundle.pem");
    }

    Path policyFile() {
        return dir.resolve("policies").resolve(POLICY_FILE);
    }

    /** The SPIFFE ID of a demo account. */
    static String spiffeId(String account) {
        return "spiffe://" + TRUST_DOMAIN + "/ns/" + NAMESPACE + "/sa/" + account;
    }

    /** demo.env's mesh lines: the control plane's admin, the trust bundle, each service's first inbound and outbound. */
    Map<String, String> env(Collection<String> services) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("STRAIT_CONTROL_PLANE_ADMIN_URL", adminUrl());
        env.put("STRAIT_MESH_TRUST_BUNDLE", trustBundleFile().toString());
        List<String> all = Stream.concat(services.stream(), Stream.of(CHECKOUT)).toList();
        for (String s : all) env.put("STRAIT_MESH_" + s.toUpperCase(Locale.ROOT) + "_INBOUND", inbound(first(s)).toString());
        for (String s : all) env.put("STRAIT_MESH_" + s.toUpperCase(Locale.ROOT) + "_OUTBOUND", outbound(first(s)).toString());
        return env;
    }

    /** The banner's mesh lines. */
    List<String> banner(String gatewayUrl) {
        return List.of(
                "The mesh: a control plane (admin " + adminUrl() + ") and a sidecar beside each instance (STRICT mTLS); the gateway",
                "calls them as " + spiffeId(GATEWAY_ACCOUNT) + ". Policy: " + policyFile() + " (edit it: it is reloaded and pushed).",
                "  curl -s -X POST -H \"X-API-Key: $STRAIT_DEMO_API_KEY\" " + gatewayUrl + "/api/v1/orders   # 201: the gateway may POST orders",
                "  curl -s -X POST -H 'Host: orders' http://$STRAIT_MESH_USERS_OUTBOUND/api/v1/orders      # 403 RBAC: access denied (users may not)",
                "  curl -s -X POST -H 'Host: orders' http://$STRAIT_MESH_CHECKOUT_OUTBOUND/api/v1/orders   # 201: checkout may",
                "  openssl s_client -connect $STRAIT_MESH_ORDERS_INBOUND -CAfile $STRAIT_MESH_TRUST_BUNDLE </dev/null 2>/dev/null"
                        + " | openssl x509 -noout -subject -ext subjectAltName   # the orders SVID",
                "  curl -s $STRAIT_CONTROL_PLANE_ADMIN_URL/status   # the CA, the registered workloads, the config streams",
                "  curl -s $STRAIT_CONTROL_PLANE_ADMIN_URL/mesh/graph   # the last minute's calls between services (reported every 5 s)");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Stops the gateway's identity, the sidecars (each deregisters), the checkout app and the control plane. */
    @Override
    public void close() {
        if (feed != null) {
            try {
                feed.close();
            } catch (Exception e) {
                log.debug("demo: {}", e.toString());
            }
        }
        if (spans != null) spans.close();
        if (gateway != null) gateway.close();
        sidecars.values().parallelStream().forEach(MeshAgent::close);
        apps.forEach(DemoService::close);
        if (controlPlane != null) controlPlane.close();
    }
}
