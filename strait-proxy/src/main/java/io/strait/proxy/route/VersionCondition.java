package io.strait.proxy.route;

import io.strait.config.model.RouteVersion;
import io.strait.config.model.VersionSetConfig;

/**
 * A route's API version under a {@code header}, {@code query} or {@code mediaType} version set: the route takes the
 * requests served as its version ({@link ApiVersions#selected}: the one named, else the set's default). It also takes
 * a request whose version the set does not know (or that names none when the set has no default), so that request
 * reaches the set's {@code version} filter, which answers 400 listing the known versions, instead of a 404.
 */
final class VersionCondition {
    private final VersionSetConfig set;
    private final String version;

    VersionCondition(RouteVersion v) {
        this.set = v.versionSet();
        this.version = v.version();
    }

    boolean test(RouteRequest req) {
        String selected = ApiVersions.selected(set, req.headers(), req.query());
        return selected == null || selected.equals(version);
    }
}
