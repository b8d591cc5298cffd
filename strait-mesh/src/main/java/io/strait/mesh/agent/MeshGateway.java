package io.strait.mesh.agent;

import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.MeshConfig;
import io.strait.config.model.StraitConfig;
import io.strait.config.model.TlsConfig;
import io.strait.config.model.UpstreamTlsConfig;
import io.strait.mesh.sidecar.MeshState;
import io.strait.mesh.traces.SpanShipper;
import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.runtime.ConfigCompletion;
import io.strait.proxy.runtime.ProxyServer;
import io.strait.proxy.tls.CertificateSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway in the mesh, from the top-level {@code mesh} section of its file: it joins as
 * {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>} ({@link MeshClientIdentity}: join token, SVID,
 * renewal, the config stream) and completes every configuration the engine applies ({@link ConfigCompletion}): each
 * cluster with {@code mesh: {service, namespace}} gets the service's workloads the control plane pushed as its
 * endpoints, and mutual TLS with the gateway's SVID, the mesh's trust bundle, SNI {@code NAME.NS.svc.cluster.local}
 * and the workloads' SPIFFE IDs (the registry's) as the names the server certificate must carry, as a sidecar's
 * outbound cluster has them. A push refreshes the engine ({@link ProxyServer#refresh}: endpoints in place, or a new
 * generation when the names changed); a reload of the file is completed with what was pushed, so it keeps it.
 *
 * <p>The section is read at start: a configuration whose section differs (its join token aside, spent by then) is
 * refused, and the running one stays.
 */
public final class MeshGateway implements ConfigCompletion, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MeshGateway.class);
    /** Kubernetes' cluster domain: a mesh cluster's SNI is {@code NAME.NS.svc.cluster.local}, as a sidecar's. */
    static final String CLUSTER_DOMAIN = "svc.cluster.local";
    /** Only the mesh's own TLS: SVIDs are EC P-256 and every Strait and Envoy sidecar speaks TLS 1.3. */
    static final String MESH_TLS_VERSION = TlsConfig.TLS_1_3;

    private final MeshConfig section;
    private final MeshClientIdentity identity;
    private final boolean ownsIdentity;
    private final CertificateSources certificates;
    /** The clusters bound to the identity's certificates in {@link #certificates}. */
    private final Set<String> bound = ConcurrentHashMap.newKeySet();
    /**
     * The SPIFFE IDs of each service's workloads when it last had some, by {@code namespace/service}: a service whose
     * last workload left keeps them, so that its cluster's TLS (and generation) stays when the workload comes back.
     */
    private final Map<String, List<String>> lastIdentities = new ConcurrentHashMap<>();
    private volatile AutoCloseable feed;
    /** The attached proxy's spans on their way to the control plane, and that proxy; null before {@link #attach}. */
    private volatile SpanShipper spans;
    private volatile ProxyServer attached;

    private MeshGateway(MeshConfig section, MeshClientIdentity identity, boolean ownsIdentity, CertificateSources certificates) {
        this.section = section.withoutJoinToken();
        this.identity = identity;
        this.ownsIdentity = ownsIdentity;
        this.certificates = certificates;
    }

    /**
     * Joins the mesh as {@code section} says: gets the first SVID (waiting, with backoff, for a control plane that is not
     * up yet) and opens the config stream. Blocking.
     *
     * @throws MeshAgentException when the trust bundle cannot be read, or the control plane refuses the join token (the
     *     message never shows it)
     */
    public static MeshGateway join(MeshConfig section, Clock clock) throws MeshAgentException, InterruptedException {
        MeshConfig.ControlPlane cp = section.controlPlane();
        String bundle;
        try {
            bundle = Files.readString(cp.trustBundleFile(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new MeshAgentException("mesh.controlPlane.trustBundleFile: cannot read " + cp.trustBundleFile() + ": " + e.getClass().getSimpleName());
        }
        MeshClientIdentity identity = MeshClientIdentity.start(new MeshClientIdentity.Settings(cp.address(), bundle, joinToken(cp),
                section.namespace(), section.serviceAccount(), cp.trustDomain()), clock);
        return new MeshGateway(section, identity, true, new CertificateSources());
    }

    /**
     * The join token: given inline, or read from {@code joinTokenFile} now, at the join, and only then (the file of a spent
     * token may be deleted once the gateway runs); its content without surrounding white space. Never shown.
     */
    static String joinToken(MeshConfig.ControlPlane cp) throws MeshAgentException {
        if (cp.joinToken() != null) return cp.joinToken();
        Path p = cp.joinTokenFile();
        try {
            String token = Files.readString(p, StandardCharsets.US_ASCII).strip();
            if (token.isEmpty()) throw new MeshAgentException("mesh.controlPlane.joinTokenFile: the file " + p + " is empty");
            return token;
        } catch (NoSuchFileException e) {
            throw new MeshAgentException("mesh.controlPlane.joinTokenFile: cannot read " + p + ": no such file");
        } catch (IOException e) {
            throw new MeshAgentException("mesh.controlPlane.joinTokenFile: cannot read " + p + ": " + e.getClass().getSimpleName());
        }
    }

    /** A gateway of an identity started by code ({@code section} must name it); closing this leaves the identity open. */
    public static MeshGateway of(MeshConfig section, MeshClientIdentity identity, CertificateSources certificates) {
        return new MeshGateway(section, identity, false, certificates);
    }

    /** The certificate sources to start the engine with: each mesh cluster's is the gateway's SVID. */
    public CertificateSources certificates() {
        return certificates;
    }

    public MeshClientIdentity identity() {
        return identity;
    }

    /**
     * Feeds the control plane's pushes to {@code proxy} (started with this completion) from now on, and sends the
     * proxy's finished spans to the control plane (its {@code GET /traces} shows every hop of a trace).
     */
    public void attach(ProxyServer proxy) {
        spans = new SpanShipper(identity::channel, "gateway " + section.spiffeId());
        proxy.spanSinks().add(spans);
        attached = proxy;
        feed = identity.onEndpoints(pushed -> {
            ApplyResult r = proxy.refresh();
            if (!r.applied()) log.warn("the mesh's pushed endpoints were not taken up: {}", String.join("; ", r.errors()));
        });
    }

    @Override
    public StraitConfig complete(StraitConfig next) {
        if (next.mesh() == null || !section.equals(next.mesh().withoutJoinToken())) {
            throw new IllegalArgumentException("mesh: the gateway joined the mesh as " + section.spiffeId() + " at " + section.controlPlane().address()
                    + " from the section it started with; a changed mesh section needs a restart");
        }
        if (next.clusters() == null) return next; // the validator's to report
        Map<String, List<MeshState.Endpoint>> pushed = identity.endpoints();
        Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
        for (Map.Entry<String, ClusterConfig> e : next.clusters().entrySet()) {
            String name = e.getKey();
            ClusterConfig c = e.getValue();
            ClusterConfig.MeshService s = c == null ? null : c.mesh();
            if (s == null || s.service() == null || s.namespace() == null) { // a broken one is the validator's to report
                if (bound.remove(name)) certificates.removeCluster(name);
                clusters.put(name, c);
                continue;
            }
            certificates.cluster(name, identity.certificates());
            bound.add(name);
            String key = s.namespace() + "/" + s.service();
            List<MeshState.Endpoint> workloads = pushed.getOrDefault(key, List.of());
            List<String> identities = workloads.stream().map(w -> w.identity().uri()).distinct().sorted().toList();
            if (identities.isEmpty()) identities = lastIdentities.getOrDefault(key, List.of());
            else lastIdentities.put(key, identities);
            clusters.put(name, complete(c, s, workloads, identities));
        }
        return next.withClusters(Collections.unmodifiableMap(clusters));
    }

    /**
     * The cluster of {@code s} with its pushed {@code workloads} (in address order, so that an unchanged push is equal),
     * whose servers must prove one of {@code identities}.
     */
    private static ClusterConfig complete(ClusterConfig c, ClusterConfig.MeshService s, List<MeshState.Endpoint> workloads,
            List<String> identities) {
        List<MeshState.Endpoint> sorted = workloads.stream().sorted(Comparator.comparing(w -> w.address().toString())).toList();
        List<EndpointConfig> endpoints = sorted.stream()
                .map(w -> new EndpointConfig(w.address(), w.zone(), w.labels(), ConfigLoader.DEFAULT_ENDPOINT_WEIGHT)).toList();
        String sni = s.service() + "." + s.namespace() + "." + CLUSTER_DOMAIN;
        return c.withEndpoints(endpoints).withTls(new UpstreamTlsConfig(sni, null, null, null, identities, MESH_TLS_VERSION,
                ConfigLoader.DEFAULT_TLS_RELOAD_CHECK_INTERVAL));
    }

    /** Stops feeding the engine and sending its spans; closes the identity when this gateway joined with it. */
    @Override
    public void close() {
        SpanShipper s = spans;
        if (s != null) {
            attached.spanSinks().remove(s);
            s.close();
        }
        AutoCloseable f = feed;
        if (f != null) {
            try {
                f.close();
            } catch (Exception e) {
                // a subscription handle only removes a listener
            }
        }
        if (ownsIdentity) identity.close();
    }
}
