package io.strait.proxy.route;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.load.FilterCatalog;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.config.model.RouteVersion;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One configured route, compiled once per config load: its {@link RouteConfig} and the matchers derived from it.
 * Immutable and shared by all requests.
 *
 * <p>Configured exact paths, prefixes and template literals have their percent-encodings put in the form
 * {@link PathNormalizer} gives request paths ({@code %7e} becomes {@code ~}, {@code %c3} becomes {@code %C3}),
 * so they compare equal to normalized requests; nothing else about them is changed.
 */
public final class Route {
    private final RouteConfig config;
    private final int index;
    private final PathKind kind;
    private final String path;
    private final Set<String> methods;
    private final ValueCondition[] headers;
    private final ValueCondition[] query;
    private final ValueCondition[] cookies;
    private final PathTemplate template;
    private final Pattern regex;
    private final String rewritePrefix;
    private final RouteMatchResult withoutParams;
    /** The version a request must name by its version set's scheme; null for routes without one (and the path scheme). */
    private final VersionCondition version;

    Route(RouteConfig config, int index) {
        this(config, index, config.match().path(), config.rewrite() == null ? null : config.rewrite().prefix());
    }

    /**
     * A route matching {@code path} instead of its configured one, forwarded with {@code rewritePrefix}: the alias a
     * path-scheme version set's default gets ({@link Router}).
     */
    Route(RouteConfig config, int index, String matchPath, String rewritePrefix) {
        this.config = config;
        this.index = index;
        RouteMatch m = config.match();
        this.kind = m.pathKind();
        this.path = kind == PathKind.REGEX ? matchPath : PathNormalizer.canonicalEscapes(matchPath);
        this.methods = m.methods() == null || m.methods().isEmpty() ? null : Set.copyOf(m.methods());
        this.headers = conditions(m.headers());
        this.query = conditions(m.query());
        this.cookies = conditions(m.cookies());
        try {
            this.template = kind == PathKind.TEMPLATE ? PathTemplate.parse(path) : null;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("route " + config.name() + ": " + e.getMessage(), e);
        }
        this.regex = kind == PathKind.REGEX ? Pattern.compile(path) : null;
        this.rewritePrefix = rewritePrefix;
        this.withoutParams = new RouteMatchResult(this, Map.of());
        this.version = config.filter(FilterCatalog.VERSION) instanceof RouteVersion v && v.versionSet() != null
                && ApiVersions.fromRequest(v.versionSet()) ? new VersionCondition(v) : null;
    }

    private static ValueCondition[] conditions(List<RouteMatch.ValueMatch> list) {
        if (list == null) return new ValueCondition[0];
        return list.stream().map(ValueCondition::new).toArray(ValueCondition[]::new);
    }

    public RouteConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /**
     * The path to forward: with {@code rewrite.prefix}, the matched prefix (or the whole exact path) replaced by
     * it, keeping exactly one {@code /} at the joint (prefix {@code /api/v1/users}, rewrite {@code /users}:
     * {@code /api/v1/users/42} becomes {@code /users/42}); otherwise {@code normalizedPath} unchanged.
     */
    public String rewritePath(String normalizedPath) {
        if (rewritePrefix == null) return normalizedPath;
        if (kind == PathKind.EXACT) return normalizedPath.equals(path) ? rewritePrefix : normalizedPath;
        if (kind != PathKind.PREFIX || !normalizedPath.startsWith(path)) return normalizedPath;
        String rest = normalizedPath.substring(path.length());
        if (rest.isEmpty()) return rewritePrefix;
        boolean restSlash = rest.charAt(0) == '/';
        boolean rewriteSlash = rewritePrefix.endsWith("/");
        if (restSlash && rewriteSlash) return rewritePrefix + rest.substring(1);
        if (!restSlash && !rewriteSlash) return rewritePrefix + '/' + rest;
        return rewritePrefix + rest;
    }

    /**
     * Whether the method, header, query and cookie conditions hold (the path is matched by the caller). Cookies
     * are looked for only by routes with cookie conditions.
     */
    boolean accepts(RouteRequest req) {
        if (methods != null && !methods.contains(req.method())) return false;
        if (version != null && !version.test(req)) return false;
        if (headers.length > 0) {
            HttpHeaders h = req.headers();
            if (h == null) h = EmptyHttpHeaders.INSTANCE;
            for (ValueCondition c : headers) {
                if (!c.testHeader(h)) return false;
            }
        }
        if (query.length > 0) {
            String q = req.query();
            for (ValueCondition c : query) {
                if (!c.testQuery(q)) return false;
            }
        }
        if (cookies.length > 0) {
            HttpHeaders h = req.headers();
            if (h == null) h = EmptyHttpHeaders.INSTANCE;
            for (ValueCondition c : cookies) {
                if (!c.testCookie(h)) return false;
            }
        }
        return true;
    }

    /** Template precedence: more literal segments, then more segments, then no catch-all, then declared first. */
    boolean outranks(Route other) {
        if (other == null) return true;
        if (template.literalCount() != other.template.literalCount()) {
            return template.literalCount() > other.template.literalCount();
        }
        if (template.segments().size() != other.template.segments().size()) {
            return template.segments().size() > other.template.segments().size();
        }
        if (template.catchAll() != other.template.catchAll()) return !template.catchAll();
        return index < other.index;
    }

    /** The result for a match of {@code normalizedPath}: shared when there are no parameters. */
    RouteMatchResult result(String normalizedPath) {
        return template == null ? withoutParams : new RouteMatchResult(this, template.extract(normalizedPath));
    }

    PathKind kind() {
        return kind;
    }

    /** The compiled path spec: exact path, prefix, template or regex source. */
    String path() {
        return path;
    }

    PathTemplate template() {
        return template;
    }

    Pattern regex() {
        return regex;
    }

    int index() {
        return index;
    }

    @Override
    public String toString() {
        return "Route[" + config.name() + " " + kind + " " + path + "]";
    }
}
