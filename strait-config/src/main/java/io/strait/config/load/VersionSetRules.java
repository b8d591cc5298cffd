package io.strait.config.load;

import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.config.model.RouteVersion;
import io.strait.config.model.VersionSetConfig;
import io.strait.config.model.VersionSetConfig.ApiVersion;
import io.strait.config.model.VersionSetConfig.Links;
import io.strait.config.model.VersionSetConfig.Scheme;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules of {@code versionSets} and of routes' {@code version}, for a model from any source (the reader applies
 * them too): names that exist, a default and successors among the set's versions, a sunset not before its
 * deprecation, header and media-type names that can be sent, and for the {@code path} scheme a route path that
 * carries the version as a segment.
 */
final class VersionSetRules {
    /** {@code type/subtype}, tokens as RFC 9110 defines them. */
    private static final Pattern MEDIA_TYPE = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** What a {@code Link} target may hold: no spaces, controls, quotes or angle brackets (they would end it). */
    private static final Pattern LINK = Pattern.compile("[^\\s<>\"\\p{Cntrl}]+");

    private final Check check;

    VersionSetRules(Check check) {
        this.check = check;
    }

    void sets(Map<String, VersionSetConfig> sets) {
        for (Map.Entry<String, VersionSetConfig> e : sets.entrySet()) {
            String p = "versionSets." + e.getKey();
            VersionSetConfig s = e.getValue();
            if (!check.required(p, s)) continue;
            if (!ConfigReader.NAME.matcher(e.getKey()).matches()) check.error(p, ConfigReader.NAME_RULE);
            if (s.name() != null && !s.name().equals(e.getKey())) {
                check.error(p + ".name", "must be the set's key '" + e.getKey() + "' (was '" + s.name() + "')");
            }
            if (!check.required(p + ".scheme", s.scheme())) continue;
            set(p, s);
        }
    }

    private void set(String p, VersionSetConfig s) {
        switch (s.scheme()) {
            case HEADER -> {
                if (check.required(p + ".header", s.header()) && !ClusterReader.TOKEN.matcher(s.header()).matches()) {
                    check.error(p + ".header", "is not a valid header name ('" + s.header() + "')");
                }
            }
            case QUERY -> {
                if (check.required(p + ".query", s.query()) && s.query().isEmpty()) check.error(p + ".query", "must not be empty");
            }
            case MEDIA_TYPE -> {
                if (check.required(p + ".mediaType", s.mediaType()) && !MEDIA_TYPE.matcher(s.mediaType()).matches()) {
                    check.error(p + ".mediaType", "must be a media type type/subtype, such as application/vnd.acme+json (was '"
                            + s.mediaType() + "')");
                }
                if (check.required(p + ".parameter", s.parameter()) && !ClusterReader.TOKEN.matcher(s.parameter()).matches()) {
                    check.error(p + ".parameter", "is not a valid media-type parameter name ('" + s.parameter() + "')");
                }
            }
            case PATH -> { }
        }
        if (!check.required(p + ".versions", s.versions())) return;
        if (s.versions().isEmpty()) {
            check.error(p + ".versions", "must declare at least one version");
            return;
        }
        if (s.defaultVersion() != null) known(p + ".default", s, s.defaultVersion());
        for (Map.Entry<String, ApiVersion> e : s.versions().entrySet()) {
            String vp = p + ".versions." + e.getKey();
            ApiVersion v = e.getValue();
            if (!check.required(vp, v)) continue;
            if (!ConfigReader.NAME.matcher(e.getKey()).matches()) check.error(vp, "version " + ConfigReader.NAME_RULE);
            if (v.deprecated() != null && v.sunset() != null && v.sunset().isBefore(v.deprecated())) {
                check.error(vp + ".sunset", "earlier than deprecated (" + v.deprecated() + ")");
            }
            if (v.successor() != null) {
                if (v.successor().equals(e.getKey())) check.error(vp + ".successor", "a version cannot succeed itself");
                else known(vp + ".successor", s, v.successor());
            }
            if (check.required(vp + ".links", v.links())) links(vp + ".links", v.links());
        }
    }

    private void links(String p, Links l) {
        link(p + ".deprecation", l.deprecation());
        link(p + ".sunset", l.sunset());
        link(p + ".successor", l.successor());
    }

    private void link(String p, String uri) {
        if (uri != null && !LINK.matcher(uri).matches()) {
            check.error(p, "must be a URI without spaces, quotes or angle brackets (was '" + uri + "')");
        }
    }

    private boolean known(String p, VersionSetConfig s, String version) {
        if (s.versions().containsKey(version)) return true;
        String hint = Names.closest(version, s.versions().keySet());
        check.error(p, "unknown version '" + version + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                + " (known: " + String.join(", ", s.versions().keySet()) + ")");
        return false;
    }

    /** A route's {@code version} at {@code p}: its set and version exist, and its set is the declared one. */
    void reference(String p, RouteVersion rv, Map<String, VersionSetConfig> sets) {
        if (!check.required(p + ".set", rv.set()) | !check.required(p + ".name", rv.version())) return;
        VersionSetConfig declared = sets.get(rv.set());
        if (declared == null) {
            String hint = Names.closest(rv.set(), sets.keySet());
            check.error(p + ".set", "unknown version set '" + rv.set() + "'" + (hint != null ? " (did you mean '" + hint + "'?)"
                    : sets.isEmpty() ? " (versionSets declares none)" : ""));
            return;
        }
        if (!declared.equals(rv.versionSet())) {
            check.error(p, "holds a version set other than versionSets." + rv.set());
            return;
        }
        if (declared.versions() != null) {
            if (!declared.versions().containsKey(rv.version())) {
                String hint = Names.closest(rv.version(), declared.versions().keySet());
                check.error(p + ".name", "unknown version '" + rv.version() + "' in version set '" + rv.set() + "'"
                        + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                        + " (known: " + String.join(", ", declared.versions().keySet()) + ")");
            }
        }
    }

    /**
     * For the {@code path} scheme, the route's path must carry its version as one whole segment
     * ({@code /api/v1/users} for {@code v1}): that is how the successor link and the default's path are derived.
     */
    void path(String p, RouteVersion rv, RouteMatch match) {
        if (rv.versionSet() == null || rv.versionSet().scheme() != Scheme.PATH || match == null) return;
        if (match.pathKind() == PathKind.REGEX) {
            check.error(p, "the path scheme needs a path, pathPrefix or pathTemplate match (a pathRegex does not show its version)");
            return;
        }
        if (RouteVersion.segmentIndex(match.path(), rv.version()) < 0) {
            check.error(p + ".name", "the path scheme reads the version from the path, and '" + match.path()
                    + "' has no segment '" + rv.version() + "'");
        }
    }
}
