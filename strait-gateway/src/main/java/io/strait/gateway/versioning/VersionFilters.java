package io.strait.gateway.versioning;

import io.strait.config.load.FilterCatalog;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteVersion;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterScope;
import io.strait.proxy.filter.HttpFilter;
import java.time.Clock;

/**
 * The factory of the {@code version} filter, whose settings the loader reads (a route's {@code version:}). The clock
 * decides when versions are deprecated and sunset (tests pass their own); the call counts are shared by every
 * configuration.
 */
public final class VersionFilters implements FilterFactory<RouteVersion> {
    private final Clock clock;
    private final DeprecatedCalls calls;

    public VersionFilters(Clock clock, DeprecatedCalls calls) {
        this.clock = clock;
        this.calls = calls;
    }

    @Override
    public String name() {
        return FilterCatalog.VERSION;
    }

    @Override
    public Class<RouteVersion> configType() {
        return RouteVersion.class;
    }

    @Override
    public HttpFilter create(RouteVersion config, FilterScope scope) {
        RouteConfig route = scope.route();
        if (route == null) throw new IllegalArgumentException(scope.path() + ": only routes take the version filter");
        if (config.apiVersion() == null) {
            throw new IllegalArgumentException(scope.path() + ": unknown version '" + config.version() + "' in version set '"
                    + config.set() + "'");
        }
        return new VersionFilter(config, route.match().path(), clock, calls);
    }
}
