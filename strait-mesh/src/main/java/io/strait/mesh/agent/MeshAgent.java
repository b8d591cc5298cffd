package io.strait.mesh.agent;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strait.config.model.ObservabilityConfig;
import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import io.strait.mesh.api.Labels;
import io.strait.mesh.api.v1.CreateCertificateResponse;
import io.strait.mesh.api.v1.Node;
import io.strait.mesh.api.v1.RegisterResponse;
import io.strait.mesh.api.v1.ReporterKind;
import io.strait.mesh.api.v1.Workload;
import io.strait.mesh.authz.AuthorizationPolicy;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.sidecar.MeshState;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.mesh.sidecar.SidecarEngine;
import io.strait.mesh.svid.RenewalSchedule;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.traces.SpanShipper;
import io.strait.mesh.transport.MeshCredentials;
import io.strait.mesh.transport.MeshTransport;
import io.strait.mesh.xds.DiscoveryClient;
import io.strait.mesh.xds.TypeUrls;
import io.strait.proxy.core.ApplyResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sidecar's life in the mesh: it makes its key and gets its first SVID for its join token (waiting, with
 * backoff, for a control plane that is not up yet), starts the {@link SidecarEngine} with it, registers its
 * workload and heartbeats, and renews its SVID at half its lifetime (a new key each time) over mTLS with the
 * current one. While the control plane is away the sidecar keeps serving with what it has; heartbeats and
 * renewals are retried, and an expired registration is made again. Its own single thread does all of this
 * (blocking calls, never on an event loop).
 */
public final class MeshAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MeshAgent.class);
    /** First wait before asking a control plane that did not answer again; doubles up to {@link #MAX_RETRY}. */
    public static final Duration FIRST_RETRY = Duration.ofMillis(500);
    public static final Duration MAX_RETRY = Duration.ofSeconds(30);
    /** A failed renewal is tried again this soon at most: {@link RenewalSchedule#RETRY}. */
    public static final Duration RENEW_RETRY = RenewalSchedule.RETRY;
    /** How long closing waits for a call of the agent's thread (a heartbeat, a renewal) to end. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** The shortest wait between renewal attempts: {@link RenewalSchedule#MIN_RETRY}. */
    public static final Duration MIN_RENEW_RETRY = RenewalSchedule.MIN_RETRY;
    /**
     * What a sidecar waits for before it is ready (its app starts, it registers): the first push of the services it may
     * call, its authorization policies and its peer authentication, at most {@link #FIRST_CONFIG_WAIT}. An app that
     * starts before its proxy knows its upstreams gets errors for its first calls (Istio's holdApplicationUntilProxyStarts).
     */
    static final List<String> FIRST_CONFIG_TYPES = List.of(TypeUrls.SERVICE_ENDPOINTS, TypeUrls.AUTHORIZATION_POLICIES,
            TypeUrls.PEER_AUTHENTICATION);
    /** The longest wait for the first config; then the sidecar serves without it (and says so). */
    static final Duration FIRST_CONFIG_WAIT = Duration.ofSeconds(5);
    /** The name of the policy a sidecar starts with: an ALLOW policy with no rules, which allows nothing. */
    static final String AWAITING_POLICIES = "strait-awaiting-control-plane";

    /** Until the control plane's policies arrive, {@code spec: {}} in the workload's namespace: nothing is allowed. */
    static AuthorizationPolicy awaitingPolicies(SidecarConfig config) {
        return new AuthorizationPolicy("no policies from the control plane yet", config.namespace(), AWAITING_POLICIES, Map.of(),
                AuthorizationPolicy.Action.ALLOW, null);
    }

    /** Heartbeats before the registry told its interval. */
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(5);

    private final SidecarConfig config;
    private final SpiffeId id;
    private final MeshCredentials credentials;
    private final ControlPlaneClient client;
    private final StartingEngine engine;
    private final RenewalSchedule schedule;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final String instanceId;
    private final DiscoveryClient discovery;
    /** This sidecar's finished spans, on their way to the control plane. */
    private final SpanShipper spans;
    private volatile Duration heartbeat = DEFAULT_HEARTBEAT;
    private volatile boolean registered;
    private volatile boolean outage;
    private volatile boolean closed;
    /** The inbound's telemetry for the control plane's service graph; set once started. */
    private volatile TelemetryReporter telemetry;

    private MeshAgent(SidecarConfig config, SpiffeId id, MeshCredentials credentials, ControlPlaneClient client, StartingEngine engine,
            Clock clock) {
        this.config = config;
        this.id = id;
        this.credentials = credentials;
        this.client = client;
        this.engine = engine;
        this.schedule = new RenewalSchedule(clock, new SecureRandom());
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("strait-mesh-agent").daemon().factory());
        this.instanceId = config.service() + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        Node node = Node.newBuilder().setInstanceId(instanceId).setService(config.service()).setNamespace(config.namespace())
                .addAllLabels(Labels.of(config.labels())).build();
        this.discovery = new DiscoveryClient(client::channel, node, new MeshUpdates(engine, credentials, id.trustDomain()).handlers(),
                thread, new SecureRandom());
        this.spans = new SpanShipper(client::channel, "sidecar " + config.service());
    }

    /** The config stream's state: connected, the versions running, the last refusal. */
    public DiscoveryClient.State config() {
        return discovery.state();
    }

    /**
     * Joins the mesh and starts the sidecar: returns once it serves (its SVID issued, its ports bound).
     *
     * @throws MeshAgentException when the control plane refuses (a wrong or used join token) or a file cannot be read
     */
    public static MeshAgent start(SidecarConfig config, Clock clock) throws MeshAgentException, InterruptedException {
        return start(config, clock, null);
    }

    /** As {@link #start(SidecarConfig, Clock)}, with the engine's access log and tracing (null: the defaults, see {@link SidecarEngine}). */
    public static MeshAgent start(SidecarConfig config, Clock clock, ObservabilityConfig observability)
            throws MeshAgentException, InterruptedException {
        long started = System.nanoTime();
        SidecarConfig.ControlPlane cp = config.controlPlane();
        String td = cp.trustDomain();
        TrustBundle bundle = bundle(td, readFile(cp.trustBundleFile(), "controlPlane.trustBundleFile"), "controlPlane.trustBundleFile");
        String token = cp.joinToken() != null ? cp.joinToken() : readFile(cp.joinTokenFile(), "controlPlane.joinTokenFile").trim();
        MeshCredentials credentials = new MeshCredentials(null, bundle);
        SpiffeId id = new SpiffeId(td, config.namespace(), config.serviceAccount());
        ControlPlaneClient client;
        try {
            client = new ControlPlaneClient(cp.address().host(), cp.address().port(), credentials, MeshTransport.controlPlaneId(td), clock);
        } catch (SSLException e) {
            throw new MeshAgentException("cannot set up TLS to the control plane: " + e.getMessage());
        }
        try {
            // connect now: the control plane's side of the TLS handshake runs while this thread makes the key
            client.channel().getState(true);
            long t0 = System.nanoTime();
            log.debug("sidecar {}: trust bundle, token and channel {} ms", config.service(), (t0 - started) / 1_000_000);
            WorkloadKey key = WorkloadKey.generate();
            String csr = key.csrPem(id);
            long t1 = System.nanoTime();
            CreateCertificateResponse first = untilAnswered(cp.address() + "", () -> client.certificate(csr, token));
            long t2 = System.nanoTime();
            useCertificate(credentials, key, first, td);
            client.reconnect().getState(true); // the connection with the SVID, made while the engine's parts are built
            // the config stream opens before the engine: its first pushes make the state the engine starts with; a type
            // that does not come in time leaves the start's default (no policy yet: the inbound allows nobody)
            StartingEngine starting = new StartingEngine(config,
                    new MeshState(credentials.svid(), credentials.bundle(), null, List.of(awaitingPolicies(config)), null),
                    clock, observability);
            MeshAgent agent = new MeshAgent(config, id, credentials, client, starting, clock);
            long t3 = System.nanoTime();
            try {
                agent.discovery.start();
                if (!agent.discovery.awaitAnswers(FIRST_CONFIG_TYPES, FIRST_CONFIG_WAIT)) {
                    log.warn("sidecar {}: not all of its first config came from the control plane within {} s; serving with what "
                            + "it has (until its authorization policies arrive the inbound refuses every call)", config.service(),
                            FIRST_CONFIG_WAIT.toSeconds());
                }
                starting.start();
                agent.engine().proxy().spanSinks().add(agent.spans); // its spans go to the control plane's GET /traces too
            } catch (InterruptedException | RuntimeException e) {
                agent.close();
                throw e;
            }
            long t4 = System.nanoTime();
            // registered once it has its config: no caller is sent here before its policies are in force
            agent.thread.execute(agent::beat);
            agent.telemetry = new TelemetryReporter(client, agent.thread, ReporterKind.SIDECAR, agent.instanceId,
                    () -> agent.engine().metrics().inbound().drain(), "sidecar " + config.service());
            agent.telemetry.start(); // after the registration: a report is for a registered instance
            agent.scheduleRenewal();
            log.debug("sidecar {}: key and CSR {} ms, first SVID {} ms, first config and engine {} ms", config.service(),
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t4 - t3) / 1_000_000);
            log.info("sidecar {}: joined the mesh as {} (SVID valid until {})", config.service(), id,
                    credentials.svid().leaf().getNotAfter().toInstant());
            return agent;
        } catch (StatusRuntimeException e) {
            client.close();
            throw new MeshAgentException("the control plane refused the first certificate: " + describe(e));
        } catch (SSLException | RuntimeException e) {
            client.close();
            throw new MeshAgentException("cannot join the mesh: " + e.getMessage());
        }
    }

    /** The running engine (null only while {@link #start} has not returned). */
    public SidecarEngine engine() {
        return engine.engine();
    }

    public String instanceId() {
        return instanceId;
    }

    public boolean registered() {
        return registered;
    }

    /** The SVID the sidecar holds now. */
    public X509Certificate certificate() {
        return credentials.svid().leaf();
    }

    // ---------------------------------------------------------------- registry

    private void beat() {
        if (closed) return;
        try {
            if (!registered || !client.heartbeat(instanceId)) register();
            if (outage) log.info("sidecar {}: the control plane answers again", config.service());
            outage = false;
        } catch (StatusRuntimeException e) {
            if (closed) return; // stopping: the call was cancelled
            if (!outage) log.warn("sidecar {}: the control plane does not answer ({}); serving with the config it has", config.service(), describe(e));
            outage = true;
            if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED || e.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
                registered = false;
            }
        } catch (RuntimeException e) {
            log.warn("sidecar {}: heartbeat failed: {}", config.service(), e.toString());
        } finally {
            if (!closed) thread.schedule(this::beat, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void register() {
        Workload.Builder w = Workload.newBuilder().setInstanceId(instanceId).setService(config.service())
                .setNamespace(config.namespace()).setServiceAccount(config.serviceAccount())
                .setAddress(advertisedHost() + ":" + engine().inboundPort()).addAllLabels(Labels.of(config.labels()));
        if (config.zone() != null) w.setZone(config.zone());
        RegisterResponse r = client.register(w.build());
        if (r.getHeartbeatIntervalSeconds() > 0) heartbeat = Duration.ofSeconds(r.getHeartbeatIntervalSeconds());
        if (!registered) log.info("sidecar {}: registered as {} at {}:{}", config.service(), instanceId, advertisedHost(), engine().inboundPort());
        registered = true;
    }

    /**
     * The inbound's address as other sidecars reach it: {@code inbound.advertiseAddress}, else the bound address, else
     * (it binds every interface) this host's address on the route to the control plane, as Consul's agents pick theirs.
     */
    private String advertisedHost() {
        SidecarConfig.Inbound in = config.inbound();
        if (in.advertiseAddress() != null) return in.advertiseAddress();
        if (!in.wildcard()) return in.address();
        String a = routeSource;
        if (a == null) routeSource = a = routeSource(config.controlPlane().address());
        return a;
    }

    private volatile String routeSource;

    /**
     * The local address the kernel picks to reach {@code target}: a UDP socket's connect sends nothing, it only
     * chooses the route. Loopback when the control plane is local or the lookup fails.
     */
    static String routeSource(io.strait.config.model.HostPort target) {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
            s.connect(new java.net.InetSocketAddress(target.host(), target.port()));
            java.net.InetAddress local = s.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? SidecarConfig.LOOPBACK : local.getHostAddress();
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("sidecar: cannot tell this host's address towards {} ({}); advertising {}: set inbound.advertiseAddress",
                    target, e.getMessage(), SidecarConfig.LOOPBACK);
            return SidecarConfig.LOOPBACK;
        }
    }

    // ---------------------------------------------------------------- renewal

    private void scheduleRenewal() {
        Duration delay = schedule.delayUntil(schedule.renewAt(credentials.svid().leaf()));
        if (!closed) thread.schedule(this::renew, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void renew() {
        if (closed) return;
        try {
            WorkloadKey key = WorkloadKey.generate();
            useCertificate(credentials, key, client.certificate(key.csrPem(id), null), id.trustDomain());
            ApplyResult applied = engine.update(engine.state().withSvid(credentials.svid()).withTrustBundle(credentials.bundle()));
            if (!applied.applied()) log.error("sidecar {}: the renewed SVID was refused: {}", config.service(), applied.errors());
            client.reconnect();
            log.info("sidecar {}: renewed its SVID, valid until {}", config.service(), credentials.svid().leaf().getNotAfter().toInstant());
            scheduleRenewal();
        } catch (StatusRuntimeException | SSLException | MeshAgentException e) {
            Duration retry = renewRetry(Duration.between(clock.instant(), credentials.svid().leaf().getNotAfter().toInstant()));
            log.warn("sidecar {}: renewing the SVID failed ({}); retrying in {}; the current one is valid until {}", config.service(),
                    e instanceof StatusRuntimeException s ? describe(s) : e.getMessage(), retry,
                    credentials.svid().leaf().getNotAfter().toInstant());
            if (!closed) thread.schedule(this::renew, retry.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The wait before another renewal attempt for an SVID with {@code left} to live: see {@link #RENEW_RETRY}. */
    static Duration renewRetry(Duration left) {
        return RenewalSchedule.retryAfter(left);
    }

    /** Renews now, on the agent's thread, and waits for it (tests: renewal is otherwise hours away). */
    void renewNow() throws Exception {
        thread.submit(this::renew).get(30, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- helpers

    /** Calls until answered, waiting with full-jitter backoff while the control plane is unreachable. */
    static <T> T untilAnswered(String where, Supplier<T> call) throws InterruptedException {
        Duration wait = FIRST_RETRY;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) throw e;
                if (attempt == 1 || attempt % 10 == 0) log.warn("control plane at {} not reachable yet ({}); retrying", where, describe(e));
                Thread.sleep(ThreadLocalRandom.current().nextLong(wait.toMillis() + 1)); // not an event loop: the caller's own thread
                wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
            }
        }
    }

    static void useCertificate(MeshCredentials credentials, WorkloadKey key, CreateCertificateResponse r, String td)
            throws MeshAgentException {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(String.join("\n", r.getCertChainPemList()).getBytes(StandardCharsets.US_ASCII));
        } catch (PemException e) {
            throw new MeshAgentException("the control plane sent an unreadable certificate: " + e.getMessage());
        }
        if (chain.isEmpty()) throw new MeshAgentException("the control plane sent no certificate");
        if (!r.getTrustBundlePem().isEmpty()) credentials.bundle(bundle(td, r.getTrustBundlePem(), "the control plane's trust bundle"));
        credentials.svid(new Svid(chain, key.privateKey()));
    }


    static TrustBundle bundle(String td, String pem, String what) throws MeshAgentException {
        try {
            List<X509Certificate> roots = Pem.certificates(pem.getBytes(StandardCharsets.US_ASCII));
            if (roots.isEmpty()) throw new MeshAgentException(what + ": no certificate in it");
            TrustBundle b = TrustBundle.of(td, roots.get(0));
            for (int i = 1; i < roots.size(); i++) b = b.withRoot(roots.get(i));
            return b;
        } catch (PemException | IllegalArgumentException e) {
            throw new MeshAgentException(what + ": " + e.getMessage());
        }
    }

    private static String readFile(java.nio.file.Path file, String field) throws MeshAgentException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new MeshAgentException(field + ": cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }

    /** Deregisters (best effort), stops the agent's thread, the sidecar and the connection to the control plane. */
    @Override
    public void close() {
        closed = true;
        if (telemetry != null) telemetry.close();
        discovery.close();
        thread.shutdownNow();
        try {
            // a heartbeat in flight would register the workload again after the deregistration below
            if (!thread.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.debug("sidecar {}: the agent's thread is still busy after {}", config.service(), CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // always: a registration cut short by the close may still have reached the control plane (an unknown
        // instance is only refused, at no cost)
        try {
            client.deregister(instanceId);
        } catch (RuntimeException e) {
            log.debug("sidecar {}: deregistering failed: {}", config.service(), e.toString());
        }
        SidecarEngine running = engine.engine();
        if (running != null) running.proxy().spanSinks().remove(spans);
        spans.close(); // what waits goes out while the connection is still there
        client.close();
        if (running != null) running.close();
    }
}
