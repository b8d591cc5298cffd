package io.strait.mesh.sidecar;

import io.strait.config.load.ConfigValidator;
import io.strait.config.model.ObservabilityConfig;
import io.strait.config.model.StraitConfig;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidException;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.mesh.peerauth.SvidRules;
import io.strait.mesh.telemetry.MeshMetrics;
import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.runtime.ProxyServer;
import io.strait.proxy.tls.CertificateMaterial;
import io.strait.proxy.tls.CertificateSources;
import io.strait.proxy.tls.InMemoryCertificateSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running sidecar's data plane: the engine ({@link ProxyServer}) serving what {@link SidecarTranslator} makes of
 * the sidecar's config and the control plane's {@link MeshState}. The control-plane client calls {@link #update}
 * with each new state: it is checked (the SVID is this workload's and chains to the trust bundle now), then the
 * engine's config is applied whole or not at all, and a new SVID or trust bundle is swapped into the one
 * certificate source the inbound listener and every cluster share: new handshakes use it, open connections
 * finish on theirs. A refused state changes nothing and says why. Blocking: never call it on an event loop.
 */
public final class SidecarEngine implements MeshStateTarget, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SidecarEngine.class);
    /** The name of the certificate source in logs. */
    static final String SOURCE_NAME = "svid";

    private final SidecarConfig config;
    /** The engine's access log and tracing, or null for the defaults (an access log on stdout). */
    private final ObservabilityConfig observability;
    private final Clock clock;
    private final InMemoryCertificateSource svid;
    private final CertificateSources sources;
    private final ProxyServer proxy;
    private volatile MeshState state;
    /** What the handshakes' SVID check compares peers' trust domain with: the trust bundle's. */
    private final AtomicReference<String> trustDomain;
    /** The mesh's request metrics and the inbound's edges since the last report to the control plane. */
    private final MeshMetrics metrics;

    private SidecarEngine(SidecarConfig config, ObservabilityConfig observability, Clock clock, MeshState state,
            InMemoryCertificateSource svid, CertificateSources sources, ProxyServer proxy, AtomicReference<String> trustDomain,
            MeshMetrics metrics) {
        this.trustDomain = trustDomain;
        this.metrics = metrics;
        this.config = config;
        this.observability = observability;
        this.clock = clock;
        this.state = state;
        this.svid = svid;
        this.sources = sources;
        this.proxy = proxy;
    }

    /**
     * Starts the sidecar with its first state: binds the inbound, outbound and admin ports.
     *
     * @throws IllegalArgumentException when the state is not usable (the message says why) or the engine refuses
     *     the config it makes
     */
    public static SidecarEngine start(SidecarConfig config, MeshState state) throws InterruptedException {
        return start(config, state, Clock.systemUTC());
    }

    /** As {@link #start(SidecarConfig, MeshState)}, checking SVIDs at {@code clock}'s time. */
    public static SidecarEngine start(SidecarConfig config, MeshState state, Clock clock) throws InterruptedException {
        return start(config, state, clock, null);
    }

    /**
     * As {@link #start(SidecarConfig, MeshState, Clock)}, with the engine's access log and tracing (null: the defaults,
     * an access log on stdout): several sidecars in one process (the demo) each log to a file of their own.
     */
    public static SidecarEngine start(SidecarConfig config, MeshState state, Clock clock, ObservabilityConfig observability)
            throws InterruptedException {
        List<String> problems = check(config, state, clock);
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
        StraitConfig engineConfig = SidecarTranslator.translate(config, state, observability);
        AtomicReference<String> trustDomain = new AtomicReference<>(
                state.trustBundle().trustDomain());
        // peers in both directions are held to the SVID rules during the handshake
        InMemoryCertificateSource svid = new InMemoryCertificateSource(SOURCE_NAME, material(state), SvidRules.check(trustDomain::get));
        CertificateSources sources = new CertificateSources().listener(SidecarTranslator.INBOUND, svid);
        bindClusters(sources, engineConfig, svid);
        MeshMetrics metrics = new MeshMetrics();
        ProxyServer proxy = ProxyServer.start(engineConfig, null, new SidecarFilters(metrics), sources);
        log.info("sidecar {} ready as {}: inbound {} ({}), outbound {}, {} service(s)", config.service(), state.svid().id(),
                proxy.port(SidecarTranslator.INBOUND), SidecarTranslator.mode(config, state), proxy.port(SidecarTranslator.OUTBOUND),
                state.services().size());
        return new SidecarEngine(config, observability, clock, state, svid, sources, proxy, trustDomain, metrics);
    }

    /**
     * Applies a new state from the control plane. Returns the engine's result: applied, or refused with every
     * reason (then the previous state keeps serving, and the caller NACKs the version with those reasons).
     */
    @Override
    public synchronized ApplyResult update(MeshState next) {
        Objects.requireNonNull(next, "next");
        MeshState current = state;
        List<String> problems = check(config, next, clock);
        if (!problems.isEmpty()) {
            log.error("mesh state refused, the previous one stays: {}", problems);
            var running = proxy.snapshot();
            return new ApplyResult(false, running.generation(), running.config(), List.copyOf(problems), List.of());
        }
        StraitConfig engineConfig = SidecarTranslator.translate(config, next, observability);
        ApplyResult result;
        if (engineConfig.equals(proxy.snapshot().config())) {
            var running = proxy.snapshot();
            result = new ApplyResult(true, running.generation(), running.config(), List.of(), List.of());
        } else {
            bindClusters(sources, engineConfig, svid);
            result = proxy.apply(engineConfig);
            if (!result.applied()) return result;
        }
        if (!next.svid().equals(current.svid()) || !next.trustBundle().equals(current.trustBundle())) {
            trustDomain.set(next.trustBundle().trustDomain());
            svid.set(material(next)); // returns once every listener and cluster has new contexts
            log.info("sidecar {}: SVID {} (until {}) and {} trust root(s) in use for new connections", config.service(),
                    next.svid().id(), next.svid().leaf().getNotAfter().toInstant(), next.trustBundle().roots().size());
        }
        state = next;
        return result;
    }

    /**
     * Why {@code state} could not start or update a sidecar of {@code config}: the state's own checks and the engine
     * config it makes, through the engine's one validation pass; empty when it can. What a state gets before the engine
     * runs (its first config), so that a push is refused for the same reasons either way.
     */
    public static List<String> problems(SidecarConfig config, MeshState state, Clock clock, ObservabilityConfig observability) {
        List<String> out = check(config, state, clock);
        if (out.isEmpty()) {
            out.addAll(ConfigValidator.validate(SidecarTranslator.translate(config, state, observability), new SidecarFilters().catalog()));
        }
        return out;
    }

    /** Why {@code state} cannot serve this sidecar; empty when it can. */
    static List<String> check(SidecarConfig config, MeshState state, Clock clock) {
        List<String> out = new ArrayList<>();
        try {
            SpiffeId id = new SvidVerifier(clock).verify(state.svid().chain(), state.trustBundle());
            if (!id.namespace().equals(config.namespace()) || !id.account().equals(config.serviceAccount())) {
                out.add("svid: the SVID is " + id + ", not this workload's (namespace " + config.namespace() + ", service account "
                        + config.serviceAccount() + ")");
            }
        } catch (SvidException e) {
            out.add("svid: " + e.getMessage());
        }
        try {
            new CertificateMaterial(state.svid().chain(), state.svid().privateKey(), List.of());
        } catch (IllegalArgumentException e) {
            out.add("svid: " + e.getMessage());
        }
        for (int i = 0; i < state.services().size(); i++) {
            MeshState.Service s = state.services().get(i);
            for (int j = i + 1; j < state.services().size(); j++) {
                if (SidecarTranslator.clusterName(s).equals(SidecarTranslator.clusterName(state.services().get(j)))) {
                    out.add("services[" + j + "]: " + SidecarTranslator.clusterName(s) + " is listed twice");
                }
            }
        }
        return out;
    }

    private static CertificateMaterial material(MeshState state) {
        return new CertificateMaterial(state.svid().chain(), state.svid().privateKey(), state.trustBundle().roots());
    }

    /** Every mesh cluster of {@code c} uses the SVID source (the app's cluster is plain, it has no tls). */
    private static void bindClusters(CertificateSources sources, StraitConfig c, InMemoryCertificateSource svid) {
        c.clusters().forEach((name, cluster) -> {
            if (cluster.tls() != null) sources.cluster(name, svid);
        });
    }

    public SidecarConfig config() {
        return config;
    }

    /** The state serving now. */
    @Override
    public MeshState state() {
        return state;
    }

    /** The mesh's request metrics, and the inbound's calls per caller for the control plane's report. */
    public MeshMetrics metrics() {
        return metrics;
    }

    /** The engine underneath (admin, metrics, ports). */
    public ProxyServer proxy() {
        return proxy;
    }

    /** The port the inbound listener is bound to. */
    public int inboundPort() {
        return proxy.port(SidecarTranslator.INBOUND);
    }

    /** The port the outbound listener is bound to. */
    public int outboundPort() {
        return proxy.port(SidecarTranslator.OUTBOUND);
    }

    /** The port of the local outbound listener for {@code key} of {@code outbound.services}. */
    public int outboundPort(String key) {
        return proxy.port(SidecarTranslator.portListener(key));
    }

    public int adminPort() {
        return proxy.adminPort();
    }

    /** Stops accepting, lets requests in flight finish within the drain timeout, then closes everything. */
    public void shutdown() {
        proxy.shutdown();
    }

    @Override
    public void close() {
        proxy.close();
    }
}
