package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.DEFAULT_ROUTE_TIMEOUT;
import static io.strait.config.load.ConfigLoader.DEFAULT_TIMEOUT_HEADER;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.FilterSpec;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.config.model.RouteMatch.ValueMatch;
import io.strait.config.model.TrafficPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads {@code routes}: what each route matches, where it goes and how the request is rewritten; retries and
 * traffic shaping have readers of their own ({@link RetryReader}, {@link TrafficReader}).
 */
final class RouteReader {
    /** The methods a route can name, in RFC 9110 order (plus PATCH). */
    static final List<String> METHODS = List.of(
            "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    /** Every '%' starts a two-digit hex escape. */
    private static final Pattern PERCENT = Pattern.compile("([^%]|%[0-9A-Fa-f]{2})*");
    private static final Pattern TEMPLATE_PARAM = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /** A host to match: a DNS name (or IPv4 literal), optionally {@code *.} in front, or a bracketed IPv6 literal. */
    private static final Pattern HOST = Pattern.compile(
            "(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*|\\[[0-9a-f:.]+]");

    /**
     * A route without a cluster, and without a filter that would answer in its place, in a process that has
     * such filters (else the error is {@code is required}).
     */
    static final String MISSING_CLUSTER = "required (or a filter that answers every request, e.g. aggregate or graphql)";

    private final Node root;
    private final Errors errors;
    private final Set<String> declaredClusters;
    private final FilterListReader filters;
    private final TrafficReader traffic;

    /**
     * @param clusters the valid clusters
     * @param declaredClusters every name under {@code clusters}, valid or not: a route naming a broken
     *     cluster gets no second error, the cluster's own errors say what is wrong
     * @param filters reads each route's filters (and its short forms)
     */
    RouteReader(Node root, Map<String, ClusterConfig> clusters, Set<String> declaredClusters, FilterListReader filters) {
        this.root = root;
        this.filters = filters;
        this.errors = root.errors();
        this.declaredClusters = declaredClusters;
        this.traffic = new TrafficReader(clusters, declaredClusters);
    }

    List<RouteConfig> read() {
        List<RouteConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Node> nodes = root.objects("routes");
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String name = n.string("name", "route-" + i);
            ConfigReader.name(n, name);
            if (!names.add(name)) n.error("name", "duplicate route name '" + name + "'");
            Node m = n.object("match");
            RouteMatch match = m == null ? matchAll() : match(m);
            boolean clusterGiven = n.has("cluster");
            String cluster = clusterGiven ? cluster(n) : null;
            RouteConfig.Rewrite rewrite = rewrite(n.object("rewrite"), match);
            Duration timeout = n.duration("timeout", DEFAULT_ROUTE_TIMEOUT);
            Long body = n.present("maxRequestBodySize") ? n.size("maxRequestBodySize", 0) : null;
            List<FilterSpec> routeFilters = filters.route(n, name, pathParams(match), match.methods(), timeout);
            if (!clusterGiven) missingCluster(n, filters.terminal(n, routeFilters));
            for (FilterSpec f : routeFilters) {
                if (f.config() instanceof io.strait.config.model.RouteVersion v) {
                    String p = f.path().endsWith("." + f.name()) ? f.path() : f.path() + "." + f.name();
                    new VersionSetRules(new Check(errors)).path(p, v, match);
                }
            }
            RetryPolicy retries = RetryReader.read(n, timeout);
            Duration idle = n.present("idleTimeout") ? ConfigReader.positive(n, "idleTimeout", null) : null;
            boolean timeoutHeader = n.bool("timeoutHeader", DEFAULT_TIMEOUT_HEADER);
            TrafficPolicy shaping = traffic.read(n, cluster);
            n.finish();
            out.add(new RouteConfig(name, match, cluster, rewrite, timeout, body, routeFilters, retries, idle, timeoutHeader,
                    shaping));
        }
        return out;
    }

    /** The names of a template route's path parameters ({@code {id}}), for filters that use them. */
    private static Set<String> pathParams(RouteMatch match) {
        if (match.pathKind() != PathKind.TEMPLATE || match.path() == null) return Set.of();
        Set<String> out = new LinkedHashSet<>();
        var m = TEMPLATE_PARAM.matcher(match.path());
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /**
     * A route without a cluster: an error unless a filter of the route answers every request itself
     * ({@code terminal}: aggregation, GraphQL), known once its filters are read.
     */
    private void missingCluster(Node n, boolean terminal) {
        n.skip("cluster");
        if (!terminal) n.error("cluster", filters.anyTerminal() ? MISSING_CLUSTER : "is required");
    }

    private String cluster(Node n) {
        String cluster = n.requiredString("cluster");
        if (cluster != null) knownCluster(n, "cluster", cluster, declaredClusters);
        return cluster;
    }

    /**
     * Whether {@code cluster} is declared under {@code clusters}, else an error with a hint. A broken cluster counts
     * as known: its own errors say what is wrong.
     */
    static boolean knownCluster(Node n, String field, String cluster, Set<String> declaredClusters) {
        if (declaredClusters.contains(cluster)) return true;
        if (declaredClusters.isEmpty()) {
            n.error(field, "unknown cluster '" + cluster + "' (the file defines no clusters)");
        } else {
            String hint = Names.closest(cluster, declaredClusters);
            n.error(field, "unknown cluster '" + cluster + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
        }
        return false;
    }

    private static RouteConfig.Rewrite rewrite(Node r, RouteMatch match) {
        if (r == null) return null;
        String prefix = r.string("prefix", null);
        String host = r.string("host", null);
        if (prefix != null) checkPath(r, "prefix", prefix);
        if (prefix != null && match.pathKind() != PathKind.PREFIX && match.pathKind() != PathKind.EXACT) {
            r.error("prefix", "needs match.path or match.pathPrefix");
        }
        if (host != null && (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            r.error("host", "must be a host name without spaces or control characters");
        }
        r.finish();
        return new RouteConfig.Rewrite(prefix, host);
    }

    private static RouteMatch matchAll() {
        return new RouteMatch(PathKind.PREFIX, "/", List.of(), Set.of(), List.of(), List.of());
    }

    private RouteMatch match(Node m) {
        PathKind kind = PathKind.PREFIX;
        String path = "/";
        List<String> given = new ArrayList<>();
        for (PathKind k : PathKind.values()) {
            String field = pathField(k);
            String v = m.string(field, null);
            if (v == null) continue;
            given.add(field);
            kind = k;
            path = v;
            switch (k) {
                case REGEX -> compile(m, field, v);
                case TEMPLATE -> checkTemplate(m, field, v);
                default -> checkPath(m, field, v);
            }
        }
        if (given.size() > 1) {
            errors.add(m.path(), "give only one of path, pathPrefix, pathTemplate or pathRegex (found "
                    + String.join(", ", given) + ")");
        }
        List<String> hosts = new ArrayList<>();
        for (String h : m.strings("hosts")) {
            String problem = hostProblem(h);
            if (problem != null) m.error("hosts", problem);
            hosts.add(h.toLowerCase(Locale.ROOT));
        }
        Set<String> methods = new LinkedHashSet<>();
        for (String meth : m.strings("methods")) {
            String problem = methodProblem(meth);
            if (problem != null) m.error("methods", problem);
            methods.add(meth);
        }
        List<ValueMatch> headers = valueMatches(m, "headers");
        List<ValueMatch> query = valueMatches(m, "query");
        List<ValueMatch> cookies = valueMatches(m, "cookies");
        m.finish();
        return new RouteMatch(kind, path, List.copyOf(hosts), Set.copyOf(methods), headers, query, cookies);
    }

    /** What is wrong with a host a route matches, or null: the rule the reader and the validator share. */
    static String hostProblem(String h) {
        if (h != null && HOST.matcher(h.toLowerCase(Locale.ROOT)).matches()) return null;
        return "'" + h + "' must be a host name (api.example.com) or a wildcard (*.example.com), without a port";
    }

    /** What is wrong with a method a route matches, or null. */
    static String methodProblem(String meth) {
        if (METHODS.contains(meth)) return null;
        String upper = meth == null ? "" : meth.toUpperCase(Locale.ROOT);
        return "unknown method '" + meth + "'" + (METHODS.contains(upper)
                ? "; methods are upper-case: " + upper : "; expected one of " + String.join(", ", METHODS));
    }

    static String pathField(PathKind k) {
        return switch (k) {
            case EXACT -> "path";
            case PREFIX -> "pathPrefix";
            case TEMPLATE -> "pathTemplate";
            case REGEX -> "pathRegex";
        };
    }

    /**
     * Paths are compared with normalized request paths, so a path that normalization would change or refuse
     * could never match: it is an error here rather than a route that silently never takes a request.
     */
    private static boolean checkPath(Node m, String field, String v) {
        String problem = pathProblem(v);
        if (problem != null) m.error(field, problem);
        return problem == null;
    }

    /** What is wrong with a path a route matches or rewrites to, or null: the rule the readers and the validator share. */
    static String pathProblem(String v) {
        if (!v.startsWith("/")) return "must start with '/'";
        if (v.indexOf('?') >= 0 || v.indexOf('#') >= 0) return "must be a path only, without a query (?) or fragment (#)";
        if (v.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || c == '\\')) {
            return "must hold only visible ASCII characters and no '\\'; percent-encode others (%20, %C3%A9)";
        }
        if (!PERCENT.matcher(v).matches() || v.contains("%00")) {
            return "has a malformed percent-encoding ('%' needs two hex digits; %00 is never allowed)";
        }
        for (String seg : v.split("/", -1)) {
            String plain = seg.replace("%2e", ".").replace("%2E", ".");
            if (plain.equals(".") || plain.equals("..")) {
                return "must not contain '.' or '..' segments (requests are matched after removing them)";
            }
        }
        return null;
    }

    private static void checkTemplate(Node m, String field, String v) {
        for (String problem : templateProblems(v)) m.error(field, problem);
    }

    /** What is wrong with a path template, in order; empty when nothing is. */
    static List<String> templateProblems(String v) {
        String path = pathProblem(v);
        if (path != null) return List.of(path);
        List<String> out = new ArrayList<>();
        String[] segments = v.substring(1).split("/", -1);
        Set<String> params = new HashSet<>();
        for (int i = 0; i < segments.length; i++) {
            String seg = segments[i];
            if (seg.equals("{**}")) {
                if (i != segments.length - 1) out.add("{**} must be the last segment");
                continue;
            }
            if (seg.indexOf('{') < 0 && seg.indexOf('}') < 0) continue;
            var param = TEMPLATE_PARAM.matcher(seg);
            if (!param.matches()) {
                out.add("segment '" + seg + "' must be a literal, {name} or a final {**}");
            } else if (!params.add(param.group(1))) {
                out.add("parameter '" + param.group(1) + "' appears twice");
            }
        }
        return out;
    }

    private static void compile(Node n, String field, String regex) {
        String problem = regexProblem(regex);
        if (problem != null) n.error(field, problem);
    }

    /** Why {@code regex} does not compile, or null. */
    static String regexProblem(String regex) {
        try {
            Pattern.compile(regex);
            return null;
        } catch (PatternSyntaxException e) {
            return "invalid regular expression: " + e.getDescription() + " near index " + e.getIndex();
        } catch (RuntimeException | StackOverflowError e) {
            return "invalid regular expression: " + e.getClass().getSimpleName();
        }
    }

    /** {@code headers} (names case-insensitive, kept lower case), {@code query} or {@code cookies} (names as written). */
    private List<ValueMatch> valueMatches(Node m, String field) {
        boolean header = field.equals("headers");
        boolean cookie = field.equals("cookies");
        List<ValueMatch> out = new ArrayList<>();
        for (Node v : m.objects(field)) {
            String name = v.requiredString("name");
            if (name != null && (header || cookie) && !ClusterReader.TOKEN.matcher(name).matches()) {
                v.error("name", header ? "is not a valid header name" : "is not a valid cookie name");
            }
            ValueMatch.Op op = null;
            String value = null;
            int given = 0;
            for (ValueMatch.Op o : ValueMatch.Op.values()) {
                String f = Names.of(o);
                if (!v.present(f)) continue;
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
}
