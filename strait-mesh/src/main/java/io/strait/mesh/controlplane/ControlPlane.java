package io.strait.mesh.controlplane;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.grpc.BindableService;
import io.grpc.Server;
import io.strait.mesh.ca.CaException;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.ca.CsrRejectedException;
import io.strait.mesh.config.CaBootstrap;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.graph.MeshGraph;
import io.strait.mesh.graph.TelemetryService;
import io.strait.mesh.graph.TelemetryWindow;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.issuance.CertificateService;
import io.strait.mesh.meshconfig.MeshConfigSource;
import io.strait.mesh.registry.Registry;
import io.strait.mesh.registry.RegistryService;
import io.strait.mesh.store.FileStore;
import io.strait.mesh.svid.RenewalSchedule;
import io.strait.mesh.token.JoinTokens;
import io.strait.mesh.traces.TraceCollector;
import io.strait.mesh.transport.MeshTransport;
import io.strait.mesh.xds.DiscoveryServer;
import io.strait.proxy.observe.trace.RecentTraces;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane process, assembled: the file store in {@code dataDir}, the CA, join tokens, the
 * registry, the control plane's own SVID, the gRPC API (mTLS, {@link MeshTransport}) with the certificate,
 * registry, config and telemetry services, and the admin listener (with the service graph of the telemetry). {@link #start} blocks while it opens files and makes
 * keys (call it from the main thread); {@link #close} stops everything, the API first.
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
    /** Threads for CSR checks and other short blocking work of the API's calls. */
    private static final int WORKERS = 2;
    /** How long calls in flight get at shutdown before they are cancelled (sidecars reconnect elsewhere or later). */
    static final java.time.Duration SHUTDOWN_GRACE = java.time.Duration.ofSeconds(1);

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final CertificateAuthority ca;
    private final Registry registry;
    private final JoinTokens tokens;
    private final Server api;
    private final ControlPlaneAdmin admin;

    private ControlPlane(CertificateAuthority ca, Registry registry, JoinTokens tokens, Server api, ControlPlaneAdmin admin,
            List<AutoCloseable> closing) {
        this.ca = ca;
        this.registry = registry;
        this.tokens = tokens;
        this.api = api;
        this.admin = admin;
        this.closing.addAll(closing);
    }

    /** Starts the control plane of {@code config} on its configured addresses ({@code api.address}, {@code admin.address}). */
    public static ControlPlane start(ControlPlaneConfig config, Clock clock, List<BindableService> extraServices) throws ControlPlaneException {
        return start(config, socket(config.listen().api()), socket(config.listen().admin()), clock, extraServices);
    }

    private static InetSocketAddress socket(io.strait.config.model.HostPort hp) {
        return new InetSocketAddress(hp.host(), hp.port());
    }

    /**
     * Starts the control plane of {@code config}: its API on {@code apiAddress}, its admin on {@code adminAddress}
     * (port 0: any free port). Extra gRPC services (the config stream) are served beside the built-in ones.
     *
     * @throws ControlPlaneException naming what could not start (the store, the CA, an address in use)
     */
    public static ControlPlane start(ControlPlaneConfig config, InetSocketAddress apiAddress, InetSocketAddress adminAddress,
            Clock clock, List<BindableService> extraServices) throws ControlPlaneException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            ExecutorService workers = Executors.newFixedThreadPool(WORKERS, Thread.ofPlatform().name("strait-cp-work-", 0).daemon().factory());
            opened.add(workers::shutdownNow);
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("strait-cp-timer").daemon().factory());
            opened.add(scheduler::shutdownNow);
            FileStore store = open(config);
            opened.add(store);
            CertificateAuthority ca = CaBootstrap.open(config, store, clock, workers);
            JoinTokens tokens = new JoinTokens(store, config.trustDomain(), clock, new SecureRandom());
            Registry registry = new Registry(store, clock, config.registry().heartbeatInterval(), config.registry().expiry());
            int restored = registry.load().join();
            opened.add(registry.startSweeping(scheduler));
            OwnSvid own = OwnSvid.start(ca, MeshTransport.controlPlaneId(config.trustDomain()), new RenewalSchedule(clock, new SecureRandom()),
                    scheduler);
            opened.add(own);
            CertificateService certificates = new CertificateService(ca, tokens, workers);
            MeshConfigSource policies = meshConfig(config);
            opened.add(policies);
            DiscoveryServer discovery = new DiscoveryServer(new MeshResources(registry::snapshot, ca::bundle, policies::current)::forNode);
            // registry listeners run under its lock: the pushes go to the worker threads, coalesced
            java.util.concurrent.atomic.AtomicBoolean refreshQueued = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable refresh = () -> {
                if (refreshQueued.compareAndSet(false, true)) workers.execute(() -> {
                    refreshQueued.set(false);
                    discovery.refresh();
                });
            };
            opened.add(registry.addListener(change -> refresh.run()));
            policies.onChange(changed -> refresh.run()); // a reload the reader accepted: pushed to every sidecar
            // a rotation step or replaced CA files: sign with them, renew our own SVID, push the bundle
            CaReload caReload = new CaReload(config, ca, clock, scheduler, () -> {
                own.renewNow();
                refresh.run();
            });
            opened.add(caReload);
            RecentTraces traces = new RecentTraces(TraceCollector.RECENT_TRACES);
            TelemetryWindow telemetry = new TelemetryWindow(clock);
            var builder = MeshTransport.server(apiAddress, own.credentials(), clock)
                    .addService(certificates)
                    .addService(new RegistryService(registry))
                    .addService(discovery)
                    .addService(new TraceCollector(traces))
                    .addService(new TelemetryService(registry, telemetry, config.telemetry().reportInterval()));
            for (BindableService s : extraServices) builder.addService(s);
            Server api;
            try {
                api = builder.build().start();
            } catch (IOException e) {
                throw new ControlPlaneException("api: cannot listen on " + apiAddress + ": " + e.getMessage());
            }
            // unary calls get a moment to finish; the config streams never end by themselves: cancelled then
            opened.add(0, () -> {
                if (!api.shutdown().awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    api.shutdownNow().awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            });
            ControlPlaneMetrics metrics = new ControlPlaneMetrics(ca, certificates.metrics(), registry, clock);
            ControlPlaneAdmin admin;
            try {
                admin = new ControlPlaneAdmin(adminAddress, ca, caReload::status, registry, metrics, () -> streams(discovery), () -> streamErrors(discovery),
                        traces,
                        () -> MeshGraph.build(telemetry, registry.snapshot(), clock.millis()));
            } catch (IOException e) {
                throw new ControlPlaneException("admin: cannot listen on " + adminAddress + ": " + e.getMessage());
            }
            opened.add(1, admin);
            if (config.injection() != null) opened.add(1, injectionWebhook(config.injection()));
            log.info("control plane: trust domain {}, API on {} (mTLS), admin on {}, {} workload(s) restored from {}",
                    config.trustDomain(), api.getListenSockets(), adminAddress.getHostString() + ":" + admin.port(), restored,
                    store.directory());
            return new ControlPlane(ca, registry, tokens, api, admin, opened);
        } catch (CaException | CsrRejectedException | javax.net.ssl.SSLException | java.util.concurrent.CompletionException e) {
            closeAll(opened);
            throw new ControlPlaneException(e.getMessage());
        } catch (ControlPlaneException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /** The sidecar injection webhook of {@code injection} (its certificate read now), started. */
    private static io.strait.mesh.inject.InjectionWebhook injectionWebhook(ControlPlaneConfig.Injection injection) throws ControlPlaneException {
        InetSocketAddress address = socket(injection.address());
        try {
            var webhook = io.strait.mesh.inject.InjectionWebhook.start(address, injection.certFile(), injection.keyFile(),
                    new io.strait.mesh.inject.AdmissionReviews(new io.strait.mesh.inject.SidecarInjector(injection.settings())));
            log.info("control plane: sidecar injection webhook on https://{}:{}{}", address.getHostString(), webhook.port(),
                    io.strait.mesh.inject.InjectionWebhook.PATH);
            return webhook;
        } catch (IOException e) {
            throw new ControlPlaneException("injection: cannot listen on " + address + ": " + e.getMessage());
        } catch (io.strait.config.tls.PemException | java.security.GeneralSecurityException e) {
            throw new ControlPlaneException("injection.certFile/keyFile: " + e.getMessage());
        }
    }

    /** The config streams for {@code /status}: per sidecar instance and type, versions sent and acknowledged, the last refusal. */
    private static com.fasterxml.jackson.databind.node.ObjectNode streams(DiscoveryServer discovery) {
        var root = JsonNodeFactory.instance.objectNode();
        discovery.status().forEach((instance, types) -> {
            var n = root.putObject(instance);
            types.forEach((type, t) -> n.putObject(type).put("sent", t.sent()).put("acked", t.acked())
                    .put("nackedVersion", t.nackedVersion()).put("nackReason", t.nackReason()));
        });
        return root;
    }

    /** Each sidecar's last refusal per type, kept after its stream ended (a NACKing sidecar may have reconnected or gone). */
    private static com.fasterxml.jackson.databind.node.ObjectNode streamErrors(DiscoveryServer discovery) {
        var root = JsonNodeFactory.instance.objectNode();
        discovery.lastErrors().forEach((instance, types) -> {
            var n = root.putObject(instance);
            types.forEach(n::put);
        });
        return root;
    }

    private static MeshConfigSource meshConfig(ControlPlaneConfig config) throws ControlPlaneException {
        try {
            return MeshConfigSource.start(config);
        } catch (io.strait.config.load.ConfigException e) {
            throw new ControlPlaneException(String.join("; ", e.errors()));
        }
    }

    private static FileStore open(ControlPlaneConfig config) throws ControlPlaneException {
        try {
            return FileStore.open(config.storeDir());
        } catch (IOException e) {
            throw new ControlPlaneException("dataDir: cannot open the store in " + config.storeDir() + ": " + e.getMessage());
        }
    }

    public int apiPort() {
        return ((InetSocketAddress) api.getListenSockets().get(0)).getPort();
    }

    public int adminPort() {
        return admin.port();
    }

    public TrustBundle bundle() {
        return ca.bundle();
    }

    public Registry registry() {
        return registry;
    }

    public JoinTokens tokens() {
        return tokens;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    @Override
    public void close() {
        closeAll(closing);
    }

    private static void closeAll(List<AutoCloseable> all) {
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("control plane: closing: {}", e.toString());
            }
        }
    }
}
