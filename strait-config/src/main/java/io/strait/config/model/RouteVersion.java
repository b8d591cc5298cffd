package io.strait.config.model;

/**
 * The {@code version} filter's settings, read from a route's {@code version: {set: NAME, name: VERSION}}: the route
 * serves that version of the set. The router matches only requests of that version (for the {@code path} scheme the
 * route's path carries it), and the filter adds the version's deprecation and sunset headers, answers 410 after its
 * sunset and 400 for a version the set does not know.
 *
 * @param set the version set's name (a key of {@code versionSets})
 * @param version the version's name in that set
 * @param versionSet the set itself, as declared under {@code versionSets} (the router and the filter read it)
 */
public record RouteVersion(String set, String version, VersionSetConfig versionSet) implements FilterConfig {
    /** The served version's settings, or null when the set does not declare it (a config error). */
    public VersionSetConfig.ApiVersion apiVersion() {
        return versionSet == null ? null : versionSet.version(version);
    }

    /**
     * Which segment of {@code path} (a route's path, exact, prefix or template) is {@code version}: 0 for the first
     * ({@code /v1/users}), 1 in {@code /api/v1/users}; -1 when no segment is. The {@code path} scheme needs one.
     */
    public static int segmentIndex(String path, String version) {
        if (path == null || version == null || path.isEmpty() || path.charAt(0) != '/') return -1;
        int segment = 0;
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) end = path.length();
            if (path.regionMatches(start, version, 0, version.length()) && end - start == version.length()) return segment;
            segment++;
            start = end + 1;
        }
        return -1;
    }
}
