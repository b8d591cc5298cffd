package io.strait.mesh.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.StatusRuntimeException;
import io.strait.config.model.HostPort;
import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import io.strait.mesh.api.Labels;
import io.strait.mesh.api.v1.CreateCertificateResponse;
import io.strait.mesh.api.v1.Endpoint;
import io.strait.mesh.api.v1.Node;
import io.strait.mesh.api.v1.ReporterKind;
import io.strait.mesh.api.v1.Resource;
import io.strait.mesh.api.v1.ServiceEndpoints;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidException;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.peerauth.SvidRules;
import io.strait.mesh.sidecar.MeshState;
import io.strait.mesh.svid.RenewalSchedule;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.transport.MeshCredentials;
import io.strait.mesh.transport.MeshTransport;
import io.strait.mesh.xds.DiscoveryClient;
import io.strait.mesh.xds.TypeUrls;
import io.strait.proxy.tls.CertificateMaterial;
import io.strait.proxy.tls.InMemoryCertificateSource;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mesh identity for a process that calls the mesh's services but is no sidecar (a gateway): it gets an SVID for
 * its service account with a join token (the key is made here and never leaves), renews it at half its lifetime
 * over mutual TLS with the current one, and keeps a config stream open for the trust bundle and the services'
 * endpoints. The SVID, its key and the trust bundle are in one {@link InMemoryCertificateSource} ({@link
 * #certificates()}): bind it to the engine's clusters that reach sidecars ({@code CertificateSources.cluster}) and
 * every new handshake presents the current SVID and checks servers against the current bundle (and the SVID rules:
 * one SPIFFE ID of the trust domain). It registers no workload: nothing calls it through the mesh.
 * Its own single thread renews; pushes are applied on the stream's thread; neither is an event loop.
 */
public final class MeshClientIdentity implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MeshClientIdentity.class);
    /** The certificate source's name in logs. */
    static final String SOURCE_NAME = "mesh-client-svid";

    /**
     * What the identity needs.
     *
     * @param controlPlane the control plane's API ({@code host:port})
     * @param trustBundlePem the roots that sign the control plane's certificate (PEM), for the first connection
     * @param joinToken the join token of {@code namespace}/{@code account}; a secret, never logged ({@link #toString()})
     */
    public record Settings(HostPort controlPlane, String trustBundlePem, String joinToken, String namespace, String account,
                           String trustDomain) {
        public Settings {
            Objects.requireNonNull(controlPlane, "controlPlane");
            Objects.requireNonNull(trustBundlePem, "trustBundlePem");
            Objects.requireNonNull(joinToken, "joinToken");
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(trustDomain, "trustDomain");
        }

        @Override
        public String toString() {
            return "Settings[controlPlane=" + controlPlane + ", joinToken=***, " + namespace + "/" + account + ", trustDomain="
                    + trustDomain + "]";
        }
    }

    private final SpiffeId id;
    private final MeshCredentials credentials;
    private final ControlPlaneClient client;
    private final InMemoryCertificateSource source;
    private final RenewalSchedule schedule;
    private final ScheduledExecutorService thread;
    private final DiscoveryClient discovery;
    /** Tells the control plane, every report interval, that this identity is a gateway (for its service graph). */
    private final TelemetryReporter telemetry;
    private final CopyOnWriteArrayList<Consumer<Map<String, List<MeshState.Endpoint>>>> endpointListeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, List<MeshState.Endpoint>> endpoints = Map.of();
    private volatile boolean closed;

    private MeshClientIdentity(SpiffeId id, MeshCredentials credentials, ControlPlaneClient client, Clock clock) {
        this.id = id;
        this.credentials = credentials;
        this.client = client;
        String td = id.trustDomain();
        this.source = new InMemoryCertificateSource(SOURCE_NAME, material(credentials),
                SvidRules.check(() -> credentials.bundle().trustDomain()));
        this.schedule = new RenewalSchedule(clock, new SecureRandom());
        this.thread = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("strait-mesh-client").daemon().factory());
        String instanceId = id.account() + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        Node node = Node.newBuilder().setInstanceId(instanceId).setService(id.account()).setNamespace(id.namespace()).build();
        this.telemetry = new TelemetryReporter(client, thread, ReporterKind.GATEWAY, instanceId, List::of, id.toString());
        this.discovery = new DiscoveryClient(client::channel, node, Map.of(
                TypeUrls.SERVICE_ENDPOINTS, (v, r) -> endpoints(r),
                TypeUrls.TRUST_BUNDLE, (v, r) -> trustBundle(r, td)), thread, new SecureRandom());
    }

    /**
     * Gets the first SVID (waiting, with backoff, for a control plane that is not up yet) and opens the config stream.
     *
     * @throws MeshAgentException when the control plane refuses the join token, or issues an SVID of another identity
     */
    public static MeshClientIdentity start(Settings settings, Clock clock) throws MeshAgentException, InterruptedException {
        String td = settings.trustDomain();
        MeshCredentials credentials = new MeshCredentials(null, MeshAgent.bundle(td, settings.trustBundlePem(), "trustBundlePem"));
        SpiffeId id;
        try {
            id = new SpiffeId(td, settings.namespace(), settings.account());
        } catch (IllegalArgumentException e) {
            throw new MeshAgentException("not a mesh identity: " + e.getMessage());
        }
        HostPort cp = settings.controlPlane();
        ControlPlaneClient client;
        try {
            client = new ControlPlaneClient(cp.host(), cp.port(), credentials, MeshTransport.controlPlaneId(td), clock);
        } catch (SSLException e) {
            throw new MeshAgentException("cannot set up TLS to the control plane: " + e.getMessage());
        }
        try {
            WorkloadKey key = WorkloadKey.generate();
            CreateCertificateResponse first = MeshAgent.untilAnswered(cp.toString(),
                    () -> client.certificate(key.csrPem(id), settings.joinToken()));
            MeshAgent.useCertificate(credentials, key, first, td);
            SpiffeId issued = SvidVerifier.identity(credentials.svid().leaf());
            if (!issued.equals(id)) throw new MeshAgentException("the join token is for " + issued + ", not " + id);
            client.reconnect();
            MeshClientIdentity identity = new MeshClientIdentity(id, credentials, client, clock);
            identity.discovery.start();
            identity.telemetry.start(); // the graph shows this identity as a gateway
            identity.scheduleRenewal();
            log.info("{} joined the mesh (SVID valid until {})", id, credentials.svid().leaf().getNotAfter().toInstant());
            return identity;
        } catch (StatusRuntimeException e) {
            client.close();
            throw new MeshAgentException("the control plane refused the first certificate: " + MeshAgent.describe(e));
        } catch (SvidException e) {
            client.close();
            throw new MeshAgentException("the control plane issued an unusable SVID: " + e.getMessage());
        } catch (MeshAgentException e) {
            client.close();
            throw e;
        } catch (SSLException | RuntimeException e) {
            client.close();
            throw new MeshAgentException("cannot join the mesh: " + e.getMessage());
        }
    }

    /** The SVID, its key and the trust bundle, for the engine's clusters; updated on renewal and on a new bundle. */
    public InMemoryCertificateSource certificates() {
        return source;
    }

    public SpiffeId id() {
        return id;
    }

    /** The SVID held now. */
    public X509Certificate certificate() {
        return credentials.svid().leaf();
    }

    /** The trust bundle held now. */
    public TrustBundle trustBundle() {
        return credentials.bundle();
    }

    /** The config stream's state. */
    public DiscoveryClient.State config() {
        return discovery.state();
    }

    /** The services' endpoints last pushed, by {@code namespace/service} (every service with a registered workload). */
    public Map<String, List<MeshState.Endpoint>> endpoints() {
        return endpoints;
    }

    /**
     * Calls {@code listener} with the endpoints now (when some were pushed already) and with every later push, on the
     * config stream's thread. Closing the returned handle stops the calls.
     */
    public AutoCloseable onEndpoints(Consumer<Map<String, List<MeshState.Endpoint>>> listener) {
        endpointListeners.add(listener);
        Map<String, List<MeshState.Endpoint>> now = endpoints;
        if (!now.isEmpty()) listener.accept(now);
        return () -> endpointListeners.remove(listener);
    }

    // ---------------------------------------------------------------- pushes

    private Optional<String> endpoints(List<Resource> resources) {
        Map<String, List<MeshState.Endpoint>> next = new LinkedHashMap<>();
        for (Resource r : resources) {
            try {
                ServiceEndpoints se = TypeUrls.unpack(r.getResource(), TypeUrls.SERVICE_ENDPOINTS, ServiceEndpoints.parser());
                List<MeshState.Endpoint> list = new ArrayList<>();
                for (Endpoint e : se.getEndpointsList()) {
                    HostPort address = HostPort.parse(e.getAddress());
                    if (address == null || address.port() == 0) return Optional.of(r.getName() + ": endpoint address '" + e.getAddress() + "' is not host:port");
                    list.add(new MeshState.Endpoint(address, SpiffeId.parse(e.getSpiffeId()), e.getZone().isEmpty() ? null : e.getZone(),
                            Labels.map(e.getLabelsList())));
                }
                next.put(se.getNamespace() + "/" + se.getService(), List.copyOf(list));
            } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                return Optional.of(r.getName() + ": " + e.getMessage());
            }
        }
        endpoints = Map.copyOf(next);
        for (var l : endpointListeners) {
            try {
                l.accept(endpoints);
            } catch (RuntimeException e) {
                log.warn("{}: an endpoints listener failed: {}", id, e.toString());
            }
        }
        return Optional.empty();
    }

    private Optional<String> trustBundle(List<Resource> resources, String td) {
        if (resources.size() != 1) return Optional.of("expected one trust bundle, got " + resources.size());
        try {
            io.strait.mesh.api.v1.TrustBundle tb = TypeUrls.unpack(resources.get(0).getResource(), TypeUrls.TRUST_BUNDLE, io.strait.mesh.api.v1.TrustBundle.parser());
            List<X509Certificate> roots = new ArrayList<>();
            for (String pem : tb.getRootsPemList()) roots.addAll(Pem.certificates(pem.getBytes(StandardCharsets.US_ASCII)));
            if (roots.isEmpty()) return Optional.of("the trust bundle has no root");
            TrustBundle bundle = new TrustBundle(td, roots);
            if (bundle.equals(credentials.bundle())) return Optional.empty();
            credentials.bundle(bundle);
            source.set(material(credentials));
            log.info("{}: {} trust root(s) in use for new connections", id, roots.size());
            return Optional.empty();
        } catch (InvalidProtocolBufferException | PemException | IllegalArgumentException e) {
            return Optional.of("trust bundle: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- renewal

    private void scheduleRenewal() {
        long delay = schedule.delayUntil(schedule.renewAt(credentials.svid().leaf())).toMillis();
        if (!closed) thread.schedule(this::renew, delay, TimeUnit.MILLISECONDS);
    }

    private void renew() {
        if (closed) return;
        try {
            WorkloadKey key = WorkloadKey.generate();
            MeshAgent.useCertificate(credentials, key, client.certificate(key.csrPem(id), null), id.trustDomain());
            source.set(material(credentials));
            client.reconnect();
            log.info("{}: renewed its SVID, valid until {}", id, credentials.svid().leaf().getNotAfter().toInstant());
            scheduleRenewal();
        } catch (StatusRuntimeException | SSLException | MeshAgentException | IllegalArgumentException e) {
            Duration retry = schedule.retryDelay(credentials.svid().leaf());
            log.warn("{}: renewing the SVID failed ({}); retrying in {}; the current one is valid until {}", id,
                    e instanceof StatusRuntimeException s ? MeshAgent.describe(s) : e.getMessage(), retry,
                    credentials.svid().leaf().getNotAfter().toInstant());
            if (!closed) thread.schedule(this::renew, retry.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Renews now, on the identity's thread, and waits for it (tests: renewal is otherwise hours away). */
    void renewNow() throws Exception {
        thread.submit(this::renew).get(30, TimeUnit.SECONDS);
    }

    private static CertificateMaterial material(MeshCredentials c) {
        return new CertificateMaterial(c.svid().chain(), c.svid().privateKey(), c.bundle().roots());
    }

    /** Closes the config stream, stops renewing and closes the connection to the control plane. */
    @Override
    public void close() {
        closed = true;
        telemetry.close();
        discovery.close();
        thread.shutdownNow();
        client.close();
    }

    /** The current channel to the control plane (replaced when the SVID is renewed), for this process's other calls. */
    public io.grpc.ManagedChannel channel() {
        return client.channel();
    }
}
