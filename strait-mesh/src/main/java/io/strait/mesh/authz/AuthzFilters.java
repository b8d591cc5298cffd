package io.strait.mesh.authz;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterModule;
import java.util.List;

/** The filter module of the sidecar's authorization: the {@code authz} filter and its denial counter. */
public final class AuthzFilters implements FilterModule {
    private final Counter denials = AuthzFilter.denialCounter();
    private final List<FilterFactory<?>> factories = List.of(new AuthzFactory(denials));

    @Override
    public List<FilterFactory<?>> factories() {
        return factories;
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry) {
        registry.register(denials);
    }

    @Override
    public void close() {}
}
