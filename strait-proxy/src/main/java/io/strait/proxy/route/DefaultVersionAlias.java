package io.strait.proxy.route;

import io.strait.config.load.FilterCatalog;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.config.model.RouteVersion;
import io.strait.config.model.VersionSetConfig.Scheme;

/**
 * Under a {@code path} version set, the route of the set's {@code default} version also takes its path without the
 * version segment: with default {@code v2}, {@code /api/users/7} is served by the route of {@code /api/v2/users} as
 * if the client had written {@code /api/v2/users/7} (the upstream gets that path, or the route's rewrite of it).
 * Only exact and prefix routes get the alias, and only when a path is left without the segment (a route of
 * {@code /v2} alone would otherwise take every path).
 */
final class DefaultVersionAlias {
    private DefaultVersionAlias() {}

    /** The alias of {@code config} (matched after every declared route), or null when it has none. */
    static Route of(RouteConfig config, int index) {
        if (!(config.filter(FilterCatalog.VERSION) instanceof RouteVersion v) || v.versionSet() == null) return null;
        if (v.versionSet().scheme() != Scheme.PATH || !v.version().equals(v.versionSet().defaultVersion())) return null;
        PathKind kind = config.match().pathKind();
        if (kind != PathKind.PREFIX && kind != PathKind.EXACT) return null;
        String path = config.match().path();
        String without = withoutSegment(path, RouteVersion.segmentIndex(path, v.version()));
        if (without == null || without.equals("/") || without.isEmpty()) return null;
        String rewrite = config.rewrite() != null && config.rewrite().prefix() != null ? config.rewrite().prefix() : path;
        return new Route(config, index, without, rewrite);
    }

    /** {@code path} without its segment number {@code segment} ({@code /api/v2/users}, 1: {@code /api/users}), or null. */
    static String withoutSegment(String path, int segment) {
        if (segment < 0) return null;
        int start = 1;
        for (int i = 0; i < segment; i++) {
            start = path.indexOf('/', start) + 1;
            if (start == 0) return null;
        }
        int end = path.indexOf('/', start);
        if (end < 0) return start <= 1 ? "/" : path.substring(0, start - 1);
        return path.substring(0, start) + path.substring(end + 1);
    }
}
