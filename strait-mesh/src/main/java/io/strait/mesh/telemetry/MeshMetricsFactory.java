package io.strait.mesh.telemetry;

import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/** Registers the {@code meshMetrics} filter, which the sidecar puts first on its inbound and outbound routes. */
public final class MeshMetricsFactory implements FilterFactory<MeshMetricsConfig> {
    /** The name in a route's {@code filters:}. */
    public static final String NAME = "meshMetrics";
    private static final MeshMetricsReader READER = new MeshMetricsReader();

    private final MeshMetrics metrics;

    public MeshMetricsFactory(MeshMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<MeshMetricsConfig> configType() {
        return MeshMetricsConfig.class;
    }

    @Override
    public FilterReader<MeshMetricsConfig> reader() {
        return READER;
    }

    @Override
    public HttpFilter create(MeshMetricsConfig config, FilterScope scope) {
        return new MeshMetricsFilter(config, metrics);
    }
}
