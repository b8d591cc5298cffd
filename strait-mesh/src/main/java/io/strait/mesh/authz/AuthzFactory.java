package io.strait.mesh.authz;

import io.prometheus.metrics.core.metrics.Counter;
import io.strait.config.load.FilterReader;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;

/** Registers the {@code authz} filter: the sidecar's Istio-style authorization policy for its workload. */
public final class AuthzFactory implements FilterFactory<AuthzConfig> {
    /** The name users write: {@code - authz: {...}}. */
    public static final String NAME = "authz";

    private static final AuthzReader READER = new AuthzReader();
    private final Counter denials;

    /** {@code denials}: {@link AuthzFilter#denialCounter()}, registered once by the module. */
    public AuthzFactory(Counter denials) {
        this.denials = denials;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<AuthzConfig> configType() {
        return AuthzConfig.class;
    }

    @Override
    public FilterReader<AuthzConfig> reader() {
        return READER;
    }

    @Override
    public HttpFilter create(AuthzConfig config, FilterScope scope) {
        AuthzEngine engine = new AuthzEngine(config.policies(), config.rootNamespace());
        return new AuthzFilter(engine.forWorkload(config.namespace(), config.labels()), denials);
    }
}
