package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.*;

import io.strait.config.model.AdminConfig;
import io.strait.config.model.AuthConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.FilterSpec;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.ListenerConfig.Protocol;
import io.strait.config.model.MeshConfig;
import io.strait.config.model.ObservabilityConfig;
import io.strait.config.model.PathPolicy;
import io.strait.config.model.RateLimitsConfig;
import io.strait.config.model.RedirectToHttps;
import io.strait.config.model.TlsConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import io.strait.config.model.VersionSetConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the top level, admin, listeners and observability; clusters and routes have readers of their own. */
final class ConfigReader {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    static final String NAME_RULE = "names use letters, digits, '.', '_' and '-', start with a letter or digit,"
            + " and have at most 63 characters";

    private final Node root;
    private final Errors errors;
    private final TlsReader tls;
    private final java.nio.file.Path baseDir;

    /** {@code baseDir}: where relative file paths (certificates, keys) are resolved. */
    private final FilterCatalog catalog;
    private FilterListReader filters;

    ConfigReader(Node root, java.nio.file.Path baseDir, FilterCatalog catalog) {
        this.root = root;
        this.catalog = catalog;
        this.errors = root.errors();
        this.tls = new TlsReader(baseDir);
        this.baseDir = baseDir;
    }

    StraitConfig read() {
        AuthConfig auth = AuthReader.read(root, baseDir);
        RateLimitReader rateLimits = new RateLimitReader();
        RateLimitsConfig limits = rateLimits.read(root);
        VersionSetReader versions = new VersionSetReader();
        Map<String, VersionSetConfig> versionSets = versions.read(root);
        filters = new FilterListReader(catalog, auth, rateLimits, versions, baseDir);
        AdminConfig admin = admin(root.object("admin"));
        List<ListenerConfig> listeners = listeners();
        String zone = zone();
        boolean meshGiven = root.has("mesh");
        MeshConfig mesh = new MeshReader(tls, baseDir).section(root);
        if (!meshGiven) root.skip("mesh");
        Map<String, ClusterConfig> clusters = new ClusterReader(root, zone != null, tls, mesh, meshGiven).read();
        List<RouteConfig> routes = new RouteReader(root, clusters, Set.copyOf(root.keys("clusters")), filters).read();
        ObservabilityConfig obs = observability(root.object("observability"));
        Duration drain = root.duration("drainTimeout", DEFAULT_DRAIN_TIMEOUT);
        root.finish();
        ConfigCheck.listenerRoutes(listeners, routes, errors);
        ConfigCheck.ports(admin, listeners, errors);
        return new StraitConfig(admin, List.copyOf(listeners), Collections.unmodifiableMap(clusters),
                List.copyOf(routes), obs, zone, drain, auth, limits, mesh, versionSets);
    }

    private String zone() {
        String zone = root.string("zone", null);
        if (zone != null && zone.isBlank()) {
            root.error("zone", "must not be empty");
            return null;
        }
        return zone;
    }

    /** Refuses the sections of later capabilities, in the order the file gives them. */
    static void notYet(Node n, Map<String, String> sections) {
        for (String field : n.fieldNames()) {
            String why = sections.get(field);
            if (why != null) {
                n.error(field, why);
                n.skip(field);
            }
        }
    }

    static void name(Node n, String name) {
        if (name != null && !NAME.matcher(name).matches()) n.error("name", NAME_RULE + " (was '" + name + "')");
    }

    static HostPort address(Node n, String field, HostPort dflt) {
        String s = n.string(field, null);
        if (s == null) return dflt;
        HostPort hp = HostPort.parse(s);
        if (hp == null) {
            n.error(field, "must be host:port, such as 127.0.0.1:8080 or [::1]:8080 (was '" + s + "')");
            return dflt;
        }
        return hp;
    }

    /**
     * A required {@code redis://} or {@code rediss://} URI with a host and a port, or null after an error. The
     * value is never repeated in a message: it may hold a password.
     */
    static String redisUri(Node n, String field) {
        String s = n.requiredString(field);
        if (s == null) return null;
        if (!(s.startsWith("redis://") || s.startsWith("rediss://"))) {
            n.error(field, "must start with redis:// or rediss://");
            return null;
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            n.error(field, "is not a valid URI (" + e.getReason() + ")");
            return null;
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            n.error(field, "must name a host and a port: redis://[:password@]host:port[/db]");
            return null;
        }
        return s;
    }

    static Duration positive(Node n, String field, Duration dflt) {
        int before = n.errors().size();
        Duration d = n.duration(field, dflt);
        if (n.errors().size() == before && (d.isZero() || d.isNegative())) {
            n.error(field, "must be greater than 0");
            return dflt;
        }
        return d;
    }

    private AdminConfig admin(Node n) {
        if (n == null) return new AdminConfig(DEFAULT_ADMIN);
        HostPort a = address(n, "address", DEFAULT_ADMIN);
        String token = n.string("token", null);
        String tokenFile = n.string("tokenFile", null);
        if (token != null && tokenFile != null) {
            n.error("tokenFile", "set either token or tokenFile, not both");
        } else if (tokenFile != null) {
            token = tokenFile(n, tokenFile);
        }
        TlsConfig adminTls = tls.tls(n, Collections.unmodifiableSet(EnumSet.of(Protocol.HTTP1)));
        if (adminTls != null && adminTls.hsts() != null) n.error("tls.hsts", "is not sent by the admin API; leave it out");
        n.finish();
        AdminConfig admin = new AdminConfig(a, token, adminTls);
        if (token != null) ConfigCheck.adminToken(admin, errors);
        return admin;
    }

    /** The token is the file's content without surrounding white space (a trailing newline, say); never shown. */
    private String tokenFile(Node n, String file) {
        java.nio.file.Path p = baseDir.resolve(file);
        try {
            String token = java.nio.file.Files.readString(p).strip();
            if (token.isEmpty()) n.error("tokenFile", "the file " + p + " is empty");
            return token.isEmpty() ? null : token;
        } catch (java.nio.file.NoSuchFileException e) {
            n.error("tokenFile", "cannot read " + p + ": no such file");
            return null;
        } catch (java.io.IOException e) {
            n.error("tokenFile", "cannot read " + p + ": " + e.getClass().getSimpleName());
            return null;
        }
    }

    private List<ListenerConfig> listeners() {
        List<ListenerConfig> out = new ArrayList<>();
        if (!root.present("listeners")) {
            out.add(new ListenerConfig(DEFAULT_LISTENER_NAME, DEFAULT_LISTENER, allProtocols(),
                    DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_HEADER_COUNT,
                    DEFAULT_MAX_REQUEST_BODY_SIZE, DEFAULT_REQUEST_HEADERS_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                    DEFAULT_IDLE_TIMEOUT, DEFAULT_XFF_TRUSTED_HOPS, PathPolicy.DEFAULT));
            return out;
        }
        int before = errors.size();
        List<Node> nodes = root.objects("listeners");
        if (nodes.isEmpty() && errors.size() == before) {
            root.error("listeners", "must have at least one listener (leave the section out for the default "
                    + DEFAULT_LISTENER + ")");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String name = n.string("name", "listener-" + i);
            name(n, name);
            if (!names.add(name)) n.error("name", "duplicate listener name '" + name + "'");
            HostPort address = address(n, "address", null);
            if (!n.has("address")) n.error("address", "is required");
            Set<Protocol> protocols = protocols(n);
            long line = n.size("maxRequestLineLength", DEFAULT_MAX_REQUEST_LINE);
            long headers = n.size("maxHeaderSize", DEFAULT_MAX_HEADER_SIZE);
            if (line < MIN_REQUEST_LINE) n.error("maxRequestLineLength", "must be at least " + MIN_REQUEST_LINE + " bytes");
            if (headers < MIN_HEADER_SIZE) n.error("maxHeaderSize", "must be at least 1KiB");
            int count = n.integer("maxHeaderCount", DEFAULT_MAX_HEADER_COUNT, 1, MAX_HEADER_COUNT);
            long body = n.size("maxRequestBodySize", DEFAULT_MAX_REQUEST_BODY_SIZE);
            Duration rht = positive(n, "requestHeadersTimeout", DEFAULT_REQUEST_HEADERS_TIMEOUT);
            Duration rt = n.duration("requestTimeout", DEFAULT_REQUEST_TIMEOUT);
            Duration idle = positive(n, "idleTimeout", DEFAULT_IDLE_TIMEOUT);
            int hops = n.integer("xffTrustedHops", DEFAULT_XFF_TRUSTED_HOPS, 0, MAX_XFF_TRUSTED_HOPS);
            PathPolicy paths = pathPolicy(n.object("paths"));
            TlsConfig tlsConfig = tls.tls(n, protocols);
            RedirectToHttps redirect = TlsReader.redirect(n, n.present("tls"));
            List<String> routes = n.present("routes") ? List.copyOf(n.strings("routes")) : null;
            List<FilterSpec> listenerFilters = filters.listener(n);
            n.finish();
            out.add(new ListenerConfig(name, address, protocols, toInt(line), toInt(headers), count, body,
                    rht, rt, idle, hops, paths, tlsConfig, redirect, routes, listenerFilters));
        }
        return out;
    }

    private static int toInt(long size) {
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    private static Set<Protocol> allProtocols() {
        return Collections.unmodifiableSet(EnumSet.allOf(Protocol.class));
    }

    private Set<Protocol> protocols(Node n) {
        if (!n.present("protocols")) return allProtocols();
        int before = errors.size();
        Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
        for (String p : n.strings("protocols")) {
            Protocol pr = Names.parse(Protocol.class, p);
            if (pr == null) n.error("protocols", "unknown protocol '" + p + "'; expected one of " + Names.of(Protocol.class));
            else protocols.add(pr);
        }
        if (protocols.isEmpty() && errors.size() == before) n.error("protocols", "must name at least one protocol");
        return Collections.unmodifiableSet(protocols.isEmpty() ? EnumSet.allOf(Protocol.class) : protocols);
    }

    private static PathPolicy pathPolicy(Node n) {
        if (n == null) return PathPolicy.DEFAULT;
        boolean merge = n.bool("mergeSlashes", PathPolicy.DEFAULT.mergeSlashes());
        PathPolicy.EncodedSlashes slashes = n.enumValue("encodedSlashes", PathPolicy.EncodedSlashes.class,
                PathPolicy.DEFAULT.encodedSlashes(), s -> Names.parse(PathPolicy.EncodedSlashes.class, s));
        n.finish();
        return new PathPolicy(merge, slashes);
    }

    private static ObservabilityConfig observability(Node n) {
        var defaultLog = new ObservabilityConfig.AccessLog(true, DEFAULT_ACCESS_LOG_PATH, DEFAULT_ACCESS_LOG_FIELDS);
        var defaultTracing = new ObservabilityConfig.Tracing(null, null, null, Map.of(), DEFAULT_RECENT_TRACES);
        if (n == null) return new ObservabilityConfig(defaultLog, defaultTracing);
        var log = accessLog(n.object("accessLog"), defaultLog);
        var tracing = defaultTracing;
        Node t = n.object("tracing");
        if (t != null) tracing = tracing(t);
        n.finish();
        return new ObservabilityConfig(log, tracing);
    }

    /** Unset values stay null: the standard {@code OTEL_*} variables fill them in when the engine starts. */
    private static ObservabilityConfig.Tracing tracing(Node t) {
        String endpoint = t.string("otlpEndpoint", null);
        if (endpoint != null && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
            t.error("otlpEndpoint", "must be an http:// or https:// URL (was '" + endpoint + "')");
        } else if (endpoint != null) {
            try {
                if (new URI(endpoint).getHost() == null) t.error("otlpEndpoint", "names no host (was '" + endpoint + "')");
            } catch (URISyntaxException e) {
                t.error("otlpEndpoint", "is not a URL: " + e.getMessage());
            }
        }
        String service = t.string("serviceName", null);
        if (service != null && service.isBlank()) t.error("serviceName", "must not be empty");
        Double ratio = t.present("sampleRatio") ? t.decimal("sampleRatio", DEFAULT_SAMPLE_RATIO, 0.0, 1.0) : null;
        Map<String, String> headers = t.present("headers") ? t.stringMap("headers") : Map.of();
        for (String name : headers.keySet()) {
            if (name.isBlank() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
                t.error("headers", "'" + name + "' is not a header name");
            }
        }
        int recent = DEFAULT_RECENT_TRACES;
        Node r = t.object("recent");
        if (r != null) {
            recent = r.integer("traces", DEFAULT_RECENT_TRACES, 0, MAX_RECENT_TRACES);
            r.finish();
        }
        t.finish();
        return new ObservabilityConfig.Tracing(endpoint, service, ratio, headers, recent);
    }

    private static ObservabilityConfig.AccessLog accessLog(Node l, ObservabilityConfig.AccessLog dflt) {
        if (l == null) return dflt;
        boolean enabled = l.bool("enabled", dflt.enabled());
        String path = l.string("path", DEFAULT_ACCESS_LOG_PATH);
        if (path.isBlank()) l.error("path", "must not be empty (stdout, stderr or a file path)");
        List<String> fields = l.present("fields") ? l.strings("fields") : DEFAULT_ACCESS_LOG_FIELDS;
        Set<String> seen = new LinkedHashSet<>();
        for (String f : fields) {
            if (!ACCESS_LOG_FIELDS.contains(f)) {
                String hint = Names.closest(f, ACCESS_LOG_FIELDS);
                l.error("fields", "unknown field '" + f + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                        + "; known: " + String.join(", ", ACCESS_LOG_FIELDS));
            } else if (!seen.add(f)) {
                l.error("fields", "'" + f + "' is listed twice");
            }
        }
        ObservabilityConfig.AccessLog.Format format = l.enumValue("format", ObservabilityConfig.AccessLog.Format.class,
                dflt.format(), s -> Names.parse(ObservabilityConfig.AccessLog.Format.class, s));
        l.finish();
        return new ObservabilityConfig.AccessLog(enabled, path, List.copyOf(fields), format);
    }
}
