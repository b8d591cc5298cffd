package io.strait.mesh.sidecar;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strait.mesh.authz.AuthzFactory;
import io.strait.mesh.authz.AuthzFilter;
import io.strait.mesh.peerauth.PeerAuthFactory;
import io.strait.mesh.sidecar.outbound.MeshOutboundFactory;
import io.strait.mesh.telemetry.MeshMetrics;
import io.strait.mesh.telemetry.MeshMetricsFactory;
import io.strait.mesh.xfcc.XfccFactory;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterModule;
import java.util.List;

/**
 * The sidecar role's filters: {@code peerauth} (client certificates must be SVIDs of the trust domain),
 * {@code authz} (Istio's AuthorizationPolicy) and {@code xfcc} (the caller's identity for the app), and the
 * authorization's denial counter, and {@code meshMetrics} (Istio's standard request metrics) with its metrics.
 */
public final class SidecarFilters implements FilterModule {
    private final Counter denials = AuthzFilter.denialCounter();
    private final MeshMetrics metrics;
    private final List<FilterFactory<?>> factories;

    public SidecarFilters() {
        this(new MeshMetrics());
    }

    /** With the mesh's request metrics and inbound edges {@code metrics} (kept by the sidecar for its reports). */
    public SidecarFilters(MeshMetrics metrics) {
        this.metrics = metrics;
        this.factories = List.of(new PeerAuthFactory(), new AuthzFactory(denials), new XfccFactory(), new MeshOutboundFactory(),
                new MeshMetricsFactory(metrics));
    }

    @Override
    public List<FilterFactory<?>> factories() {
        return factories;
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry) {
        registry.register(denials);
        metrics.register(registry);
    }
}
