package io.strait.config.load;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.strait.config.model.AdminConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.ClusterConfig.ZoneAware;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HealthCheckConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.ListenerConfig.Protocol;
import io.strait.config.model.ObservabilityConfig;
import io.strait.config.model.PathPolicy;
import io.strait.config.model.PoolConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.config.model.RouteMatch.ValueMatch;
import io.strait.config.model.StraitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a YAML file into an immutable {@link StraitConfig}, checking everything in one pass and
 * reporting every error with its path ({@code routes[2].cluster: unknown cluster 'userz'}).
 */
public final class ConfigLoader {
    /** Sections that later capabilities add; a config using them is refused, never half-applied. */
    private static final Map<String, String> NOT_YET = Map.of(
            "auth", "authentication (JWT, API keys) is not available in this build yet",
            "rateLimits", "rate limiting is not available in this build yet",
            "retries", "retries are not available in this build yet",
            "split", "traffic splitting is not available in this build yet",
            "rateLimit", "rate limiting is not available in this build yet",
            "outlierDetection", "outlier detection is not available in this build yet",
            "circuitBreaker", "circuit breaking is not available in this build yet",
            "tls", "TLS termination is not available in this build yet");

    public static final HostPort DEFAULT_ADMIN = new HostPort("127.0.0.1", 9901);
    public static final HostPort DEFAULT_LISTENER = new HostPort("127.0.0.1", 8080);
    /** Envoy's default cap on request headers is 60 KiB, nginx's 4 x 8 KiB: 32 KiB sits between. */
    public static final int DEFAULT_MAX_HEADER_SIZE = 32 * 1024;
    /** nginx and Envoy both refuse request lines past 8 KiB by default-ish; URLs longer are abuse. */
    public static final int DEFAULT_MAX_REQUEST_LINE = 8 * 1024;
    /** Envoy's default limit of headers per request. */
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    /** Slowloris defence: a client gets this long to send its headers (nginx client_header_timeout is 60s). */
    public static final Duration DEFAULT_REQUEST_HEADERS_TIMEOUT = Duration.ofSeconds(30);
    /** Keep-alive connections with nothing in flight close after this (Envoy: 1h, nginx: 75s). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** A route's upstream must start answering within this (Envoy's route timeout default). */
    public static final Duration DEFAULT_ROUTE_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_POOL_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_DNS_REFRESH = Duration.ofSeconds(30);

    public static final List<String> ACCESS_LOG_FIELDS = List.of(
            "time", "requestId", "client", "method", "host", "path", "protocol", "status", "durationMs",
            "upstreamMs", "bytesIn", "bytesOut", "route", "cluster", "upstream", "userAgent", "traceId", "error");
    public static final List<String> DEFAULT_ACCESS_LOG_FIELDS = List.of(
            "time", "requestId", "client", "method", "host", "path", "protocol", "status", "durationMs",
            "bytesIn", "bytesOut", "route", "cluster", "upstream", "error");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern TEMPLATE_PARAM = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]*}");
    private static final Set<String> METHODS = Set.of(
            "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {}

    public static StraitConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        }
        return parse(text, file.toString());
    }

    public static StraitConfig parse(String yaml, String source) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(List.of(source + ": not valid YAML" + where + ": " + e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(List.of(source + ": the file is empty"));
        }
        Errors errors = new Errors();
        if (!root.isObject()) {
            errors.add("", "the top level must be an object");
            throw new ConfigException(errors.list());
        }
        StraitConfig config = new ConfigLoader.Reader(new Node(root, "", errors)).read();
        if (!errors.isEmpty()) throw new ConfigException(errors.list());
        return config;
    }

    /** One pass over the tree; cross references (route to cluster) are checked at the end. */
    private static final class Reader {
        private final Node root;
        private final Errors errors;

        Reader(Node root) {
            this.root = root;
            this.errors = root.errors();
        }

        StraitConfig read() {
            notYet(root);
            AdminConfig admin = admin(root.object("admin"));
            List<ListenerConfig> listeners = listeners();
            Map<String, ClusterConfig> clusters = clusters();
            List<RouteConfig> routes = routes(clusters);
            ObservabilityConfig obs = observability(root.object("observability"));
            String zone = root.string("zone", null);
            Duration drain = root.duration("drainTimeout", DEFAULT_DRAIN_TIMEOUT);
            root.finish();
            checkPorts(admin, listeners);
            return new StraitConfig(admin, listeners, clusters, routes, obs, zone, drain);
        }

        private void notYet(Node n) {
            for (Map.Entry<String, String> e : NOT_YET.entrySet()) {
                if (n.has(e.getKey())) {
                    n.error(e.getKey(), e.getValue());
                    n.skip(e.getKey());
                }
            }
        }

        private HostPort address(Node n, String field, HostPort dflt) {
            String s = n.string(field, null);
            if (s == null) return dflt;
            HostPort hp = HostPort.parse(s);
            if (hp == null) {
                n.error(field, "must be host:port (was '" + s + "')");
                return dflt;
            }
            return hp;
        }

        private AdminConfig admin(Node n) {
            if (n == null) return new AdminConfig(DEFAULT_ADMIN);
            HostPort a = address(n, "address", DEFAULT_ADMIN);
            n.finish();
            return new AdminConfig(a);
        }

        private List<ListenerConfig> listeners() {
            List<ListenerConfig> out = new ArrayList<>();
            if (!root.has("listeners")) {
                root.skip("listeners");
                out.add(new ListenerConfig("http", DEFAULT_LISTENER, EnumSet.allOf(Protocol.class),
                        DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_HEADER_COUNT, 0,
                        DEFAULT_REQUEST_HEADERS_TIMEOUT, Duration.ZERO, DEFAULT_IDLE_TIMEOUT, 0, PathPolicy.DEFAULT));
                return out;
            }
            Set<String> names = new HashSet<>();
            List<Node> nodes = root.objects("listeners");
            for (int i = 0; i < nodes.size(); i++) {
                Node n = nodes.get(i);
                notYet(n);
                String name = n.string("name", "listener-" + i);
                if (!names.add(name)) n.error("name", "duplicate listener name '" + name + "'");
                HostPort address = address(n, "address", null);
                if (address == null && !n.has("address")) n.error("address", "is required");
                Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
                if (n.has("protocols")) {
                    for (String p : n.strings("protocols")) {
                        Protocol pr = Names.parse(Protocol.class, p);
                        if (pr == null) n.error("protocols", "unknown protocol '" + p + "'; expected one of " + Names.of(Protocol.class));
                        else protocols.add(pr);
                    }
                    if (protocols.isEmpty()) n.error("protocols", "must name at least one protocol");
                } else {
                    protocols = EnumSet.allOf(Protocol.class);
                }
                int line = (int) Math.min(Integer.MAX_VALUE, n.size("maxRequestLineLength", DEFAULT_MAX_REQUEST_LINE));
                int headers = (int) Math.min(Integer.MAX_VALUE, n.size("maxHeaderSize", DEFAULT_MAX_HEADER_SIZE));
                if (line < 256) n.error("maxRequestLineLength", "must be at least 256 bytes");
                if (headers < 1024) n.error("maxHeaderSize", "must be at least 1KiB");
                int count = n.integer("maxHeaderCount", DEFAULT_MAX_HEADER_COUNT, 1, 10_000);
                long body = n.size("maxRequestBodySize", 0);
                Duration rht = positive(n, "requestHeadersTimeout", DEFAULT_REQUEST_HEADERS_TIMEOUT);
                Duration rt = n.duration("requestTimeout", Duration.ZERO);
                Duration idle = positive(n, "idleTimeout", DEFAULT_IDLE_TIMEOUT);
                int hops = n.integer("xffTrustedHops", 0, 0, 10);
                PathPolicy paths = pathPolicy(n.object("paths"));
                n.finish();
                out.add(new ListenerConfig(name, address, protocols, line, headers, count, body, rht, rt, idle, hops, paths));
            }
            if (nodes.isEmpty() && errors.isEmpty()) root.error("listeners", "must have at least one listener");
            return out;
        }

        private PathPolicy pathPolicy(Node n) {
            if (n == null) return PathPolicy.DEFAULT;
            boolean merge = n.bool("mergeSlashes", true);
            PathPolicy.EncodedSlashes slashes = n.enumValue("encodedSlashes", PathPolicy.EncodedSlashes.class,
                    PathPolicy.EncodedSlashes.REJECT, s -> Names.parse(PathPolicy.EncodedSlashes.class, s));
            n.finish();
            return new PathPolicy(merge, slashes);
        }

        private Duration positive(Node n, String field, Duration dflt) {
            Duration d = n.duration(field, dflt);
            if (d.isZero() || d.isNegative()) {
                n.error(field, "must be greater than 0");
                return dflt;
            }
            return d;
        }

        private Map<String, ClusterConfig> clusters() {
            Map<String, ClusterConfig> out = new LinkedHashMap<>();
            for (Map.Entry<String, Node> e : root.namedObjects("clusters").entrySet()) {
                String name = e.getKey();
                Node n = e.getValue();
                notYet(n);
                if (!NAME.matcher(name).matches()) {
                    errors.add(n.path(), "cluster names use letters, digits, '.', '_' and '-' (at most 63)");
                }
                List<EndpointConfig> endpoints = new ArrayList<>();
                List<Node> eps = n.objects("endpoints");
                if (eps.isEmpty()) n.error("endpoints", "must list at least one endpoint");
                for (Node ep : eps) {
                    HostPort a = address(ep, "address", null);
                    if (a == null && !ep.has("address")) ep.error("address", "is required");
                    if (a != null && a.port() == 0) ep.error("address", "port must be 1-65535");
                    String zone = ep.string("zone", null);
                    Map<String, String> labels = ep.stringMap("labels");
                    int weight = ep.integer("weight", 1, 1, 1000);
                    ep.finish();
                    if (a != null) endpoints.add(new EndpointConfig(a, zone, Map.copyOf(labels), weight));
                }
                LoadBalancerKind lb = n.enumValue("loadBalancer", LoadBalancerKind.class, LoadBalancerKind.ROUND_ROBIN,
                        s -> Names.parse(LoadBalancerKind.class, s));
                HashOn hashOn = hashOn(n, lb);
                ZoneAware za = null;
                Node zn = n.object("zoneAware");
                if (zn != null) {
                    za = new ZoneAware(zn.integer("minHealthyPercent", 70, 0, 100));
                    zn.finish();
                }
                if (lb == LoadBalancerKind.ZONE_AWARE) {
                    if (za == null) za = new ZoneAware(70);
                    if (!root.has("zone")) n.error("loadBalancer", "zone-aware needs the top-level 'zone' of this process");
                    for (int i = 0; i < endpoints.size(); i++) {
                        if (endpoints.get(i).zone() == null) n.error("endpoints[" + i + "].zone", "is required for zone-aware load balancing");
                    }
                }
                UpstreamProtocol protocol = n.enumValue("protocol", UpstreamProtocol.class, UpstreamProtocol.HTTP1,
                        s -> Names.parse(UpstreamProtocol.class, s));
                PoolConfig pool = pool(n.object("pool"));
                HealthCheckConfig hc = healthCheck(n.object("healthCheck"));
                Duration dns = positive(n, "dnsRefresh", DEFAULT_DNS_REFRESH);
                n.finish();
                out.put(name, new ClusterConfig(name, List.copyOf(endpoints), lb, hashOn, za, protocol, pool, hc, dns));
            }
            return out;
        }

        private HashOn hashOn(Node n, LoadBalancerKind lb) {
            Node h = n.object("hashOn");
            if (h == null) {
                if (lb == LoadBalancerKind.RING_HASH) n.error("hashOn", "is required for ring-hash: one of header, cookie or sourceIp");
                return null;
            }
            String header = h.string("header", null);
            String cookie = h.string("cookie", null);
            boolean ip = h.bool("sourceIp", false);
            int count = (header != null ? 1 : 0) + (cookie != null ? 1 : 0) + (ip ? 1 : 0);
            if (count != 1) errors.add(h.path(), "must set exactly one of header, cookie or sourceIp");
            if (header != null && !HEADER_NAME.matcher(header).matches()) h.error("header", "is not a valid header name");
            if (lb != LoadBalancerKind.RING_HASH) n.error("hashOn", "only applies to loadBalancer: ring-hash");
            h.finish();
            return new HashOn(header == null ? null : header.toLowerCase(Locale.ROOT), cookie, ip);
        }

        private PoolConfig pool(Node n) {
            if (n == null) {
                return new PoolConfig(1024, 1024, DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, 0);
            }
            int max = n.integer("maxConnections", 1024, 1, 1_000_000);
            int pending = n.integer("maxPendingRequests", 1024, 0, 1_000_000);
            Duration idle = positive(n, "idleTimeout", DEFAULT_POOL_IDLE_TIMEOUT);
            Duration connect = positive(n, "connectTimeout", DEFAULT_CONNECT_TIMEOUT);
            int perConn = n.integer("maxRequestsPerConnection", 0, 0, Integer.MAX_VALUE);
            n.finish();
            return new PoolConfig(max, pending, idle, connect, perConn);
        }

        private HealthCheckConfig healthCheck(Node n) {
            if (n == null) return null;
            String path = n.requiredString("path");
            if (path != null && !path.startsWith("/")) n.error("path", "must start with '/'");
            String host = n.string("host", null);
            Duration interval = positive(n, "interval", Duration.ofSeconds(5));
            Duration timeout = positive(n, "timeout", Duration.ofSeconds(1));
            int healthy = n.integer("healthyThreshold", 1, 1, 100);
            int unhealthy = n.integer("unhealthyThreshold", 2, 1, 100);
            n.finish();
            return new HealthCheckConfig(path, host, interval, timeout, healthy, unhealthy);
        }

        private List<RouteConfig> routes(Map<String, ClusterConfig> clusters) {
            List<RouteConfig> out = new ArrayList<>();
            Set<String> names = new HashSet<>();
            List<Node> nodes = root.objects("routes");
            for (int i = 0; i < nodes.size(); i++) {
                Node n = nodes.get(i);
                notYet(n);
                String name = n.string("name", "route-" + i);
                if (!names.add(name)) n.error("name", "duplicate route name '" + name + "'");
                Node m = n.object("match");
                RouteMatch match = m == null ? matchAll() : match(m);
                String cluster = n.requiredString("cluster");
                if (cluster != null && !clusters.containsKey(cluster)) {
                    n.error("cluster", "unknown cluster '" + cluster + "'");
                }
                RouteConfig.Rewrite rewrite = null;
                Node r = n.object("rewrite");
                if (r != null) {
                    String prefix = r.string("prefix", null);
                    String host = r.string("host", null);
                    if (prefix != null && !prefix.startsWith("/")) r.error("prefix", "must start with '/'");
                    if (prefix != null && match.pathKind() != PathKind.PREFIX && match.pathKind() != PathKind.EXACT) {
                        r.error("prefix", "needs match.path or match.pathPrefix");
                    }
                    if (host != null && (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
                        r.error("host", "must be a host name without spaces or control characters");
                    }
                    r.finish();
                    rewrite = new RouteConfig.Rewrite(prefix, host);
                }
                Duration timeout = n.duration("timeout", DEFAULT_ROUTE_TIMEOUT);
                Long body = n.has("maxRequestBodySize") ? n.size("maxRequestBodySize", 0) : null;
                n.finish();
                out.add(new RouteConfig(name, match, cluster, rewrite, timeout, body));
            }
            return out;
        }

        private static RouteMatch matchAll() {
            return new RouteMatch(PathKind.PREFIX, "/", List.of(), Set.of(), List.of(), List.of());
        }

        private RouteMatch match(Node m) {
            PathKind kind = null;
            String path = null;
            int given = 0;
            for (PathKind k : PathKind.values()) {
                String field = switch (k) {
                    case EXACT -> "path";
                    case PREFIX -> "pathPrefix";
                    case TEMPLATE -> "pathTemplate";
                    case REGEX -> "pathRegex";
                };
                String v = m.string(field, null);
                if (v == null) continue;
                given++;
                kind = k;
                path = v;
                if (k != PathKind.REGEX && !v.startsWith("/")) m.error(field, "must start with '/'");
                if (k == PathKind.REGEX) compile(m, field, v);
                if (k == PathKind.TEMPLATE) checkTemplate(m, field, v);
            }
            if (given > 1) m.error("path", "give only one of path, pathPrefix, pathTemplate and pathRegex");
            if (given == 0) {
                kind = PathKind.PREFIX;
                path = "/";
            }
            List<String> hosts = new ArrayList<>();
            for (String h : m.strings("hosts")) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.isEmpty() || lower.indexOf('*', 1) >= 0 || lower.startsWith("*") && !lower.startsWith("*.")) {
                    m.error("hosts", "'" + h + "' must be a host name or *.suffix");
                }
                hosts.add(lower);
            }
            Set<String> methods = new LinkedHashSet<>();
            for (String meth : m.strings("methods")) {
                if (!METHODS.contains(meth)) m.error("methods", "unknown method '" + meth + "'");
                methods.add(meth);
            }
            List<ValueMatch> headers = valueMatches(m, "headers", true);
            List<ValueMatch> query = valueMatches(m, "query", false);
            m.finish();
            return new RouteMatch(kind, path, List.copyOf(hosts), Set.copyOf(methods), headers, query);
        }

        private void checkTemplate(Node m, String field, String v) {
            for (String seg : v.substring(1).split("/", -1)) {
                if (seg.indexOf('{') < 0 && seg.indexOf('}') < 0) continue;
                if (!TEMPLATE_PARAM.matcher(seg).matches() && !seg.equals("{**}")) {
                    m.error(field, "segment '" + seg + "' must be a literal, {name} or a final {**}");
                }
            }
        }

        private void compile(Node n, String field, String regex) {
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                n.error(field, "invalid regular expression: " + e.getDescription());
            }
        }

        private List<ValueMatch> valueMatches(Node m, String field, boolean header) {
            List<ValueMatch> out = new ArrayList<>();
            for (Node v : m.objects(field)) {
                String name = v.requiredString("name");
                if (name != null && header && !HEADER_NAME.matcher(name).matches()) v.error("name", "is not a valid header name");
                ValueMatch.Op op = null;
                String value = null;
                int given = 0;
                for (ValueMatch.Op o : ValueMatch.Op.values()) {
                    String f = Names.of(o);
                    if (!v.has(f)) {
                        v.skip(f);
                        continue;
                    }
                    given++;
                    op = o;
                    if (o == ValueMatch.Op.PRESENT || o == ValueMatch.Op.ABSENT) {
                        if (!v.bool(f, true)) v.error(f, "only 'true' is meaningful");
                    } else {
                        value = v.string(f, null);
                        if (o == ValueMatch.Op.REGEX && value != null) compile(v, f, value);
                    }
                }
                if (given != 1) errors.add(v.path(), "must set exactly one of exact, prefix, regex, present or absent");
                v.finish();
                if (name != null && op != null) {
                    out.add(new ValueMatch(header ? name.toLowerCase(Locale.ROOT) : name, op, value));
                }
            }
            return List.copyOf(out);
        }

        private ObservabilityConfig observability(Node n) {
            var defaultLog = new ObservabilityConfig.AccessLog(true, "stdout", DEFAULT_ACCESS_LOG_FIELDS);
            var defaultTracing = new ObservabilityConfig.Tracing(null, "strait", 1.0);
            if (n == null) return new ObservabilityConfig(defaultLog, defaultTracing);
            var log = defaultLog;
            Node l = n.object("accessLog");
            if (l != null) {
                boolean enabled = l.bool("enabled", true);
                String path = l.string("path", "stdout");
                List<String> fields = l.has("fields") ? l.strings("fields") : DEFAULT_ACCESS_LOG_FIELDS;
                for (String f : fields) {
                    if (!ACCESS_LOG_FIELDS.contains(f)) l.error("fields", "unknown field '" + f + "'; known: " + String.join(", ", ACCESS_LOG_FIELDS));
                }
                l.finish();
                log = new ObservabilityConfig.AccessLog(enabled, path, List.copyOf(fields));
            }
            var tracing = defaultTracing;
            Node t = n.object("tracing");
            if (t != null) {
                String endpoint = t.string("otlpEndpoint", null);
                if (endpoint != null && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                    t.error("otlpEndpoint", "must be an http:// or https:// URL");
                }
                tracing = new ObservabilityConfig.Tracing(endpoint, t.string("serviceName", "strait"),
                        t.decimal("sampleRatio", 1.0, 0.0, 1.0));
                t.finish();
            }
            n.finish();
            return new ObservabilityConfig(log, tracing);
        }

        private void checkPorts(AdminConfig admin, List<ListenerConfig> listeners) {
            Map<String, String> used = new LinkedHashMap<>();
            used.put(admin.address().toString(), "admin.address");
            for (int i = 0; i < listeners.size(); i++) {
                HostPort a = listeners.get(i).address();
                if (a == null || a.port() == 0) continue;
                String prev = used.putIfAbsent(a.toString(), "listeners[" + i + "].address");
                if (prev != null) errors.add("listeners[" + i + "].address", a + " is already used by " + prev);
            }
        }
    }
}
