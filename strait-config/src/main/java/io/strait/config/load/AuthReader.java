package io.strait.config.load;

import io.strait.config.model.ApiKeysConfig;
import io.strait.config.model.AuthConfig;
import io.strait.config.model.JwtProviderConfig;
import io.strait.config.model.RouteAuth;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code auth} (JWT providers, API keys, identity headers) and each route's {@code auth} policy. */
final class AuthReader {
    /** RFC 9110 token: a header name. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern QUERY_PARAM = Pattern.compile("[A-Za-z0-9_.~-]{1,64}");
    /** Headers that carry framing, routing or credentials: never set from a claim. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "keep-alive", "te", "trailer", "upgrade", "proxy-connection", "authorization",
            "cookie", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id", "traceparent",
            "tracestate", "x-user-id", "x-scopes", "x-api-key-id");
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final Duration MAX_SKEW = Duration.ofMinutes(10);
    private static final Duration MIN_JWKS_REFRESH = Duration.ofSeconds(10);

    private AuthReader() {}

    /** {@code baseDir}: where relative file paths (JWKS files, the API-key file) are resolved. */
    static AuthConfig read(Node root, Path baseDir) {
        Node n = root.object("auth");
        if (n == null) return AuthConfig.NONE;
        List<JwtProviderConfig> jwt = jwtProviders(n, baseDir);
        ApiKeysConfig apiKeys = apiKeys(n.object("apiKeys"), baseDir);
        List<String> identity = headerNames(n, "identityHeaders");
        n.finish();
        return new AuthConfig(List.copyOf(jwt), apiKeys, List.copyOf(identity));
    }

    private static List<JwtProviderConfig> jwtProviders(Node auth, Path baseDir) {
        List<JwtProviderConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Node> nodes = auth.objects("jwt");
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            int before = n.errors().size();
            String name = n.requiredString("name");
            ConfigReader.name(n, name);
            if (name != null && !names.add(name)) n.error("name", "duplicate JWT provider name '" + name + "'");
            String issuer = n.requiredString("issuer");
            List<String> audiences = n.strings("audiences");
            URI jwksUri = jwksUri(n);
            String file = n.string("jwksFile", null);
            if ((jwksUri == null) == (file == null) && !n.has("jwksUri")) {
                n.error("jwksUri", "set exactly one of jwksUri and jwksFile");
            } else if (jwksUri != null && file != null) {
                n.error("jwksFile", "set exactly one of jwksUri and jwksFile");
            }
            if (file != null && file.isBlank()) n.error("jwksFile", "must not be empty");
            List<String> algorithms = algorithms(n);
            Duration skew = n.duration("clockSkew", JwtProviderConfig.DEFAULT_CLOCK_SKEW);
            if (skew.isNegative() || skew.compareTo(MAX_SKEW) > 0) n.error("clockSkew", "must be between 0s and 10m");
            Duration refresh = ConfigReader.positive(n, "jwksRefresh", JwtProviderConfig.DEFAULT_JWKS_REFRESH);
            if (refresh.compareTo(MIN_JWKS_REFRESH) < 0) n.error("jwksRefresh", "must be at least 10s");
            Duration timeout = ConfigReader.positive(n, "jwksTimeout", JwtProviderConfig.DEFAULT_JWKS_TIMEOUT);
            String tenantClaim = n.string("tenantClaim", JwtProviderConfig.DEFAULT_TENANT_CLAIM);
            if (tenantClaim.isBlank()) n.error("tenantClaim", "must not be empty");
            Map<String, String> claimHeaders = claimHeaders(n);
            boolean forward = n.bool("forwardToken", false);
            n.finish();
            if (n.errors().size() == before) {
                out.add(new JwtProviderConfig(name, issuer, List.copyOf(audiences), jwksUri,
                        file == null ? null : resolve(n, "jwksFile", baseDir, file), List.copyOf(algorithms), skew, refresh, timeout,
                        tenantClaim, Map.copyOf(claimHeaders), forward));
            }
        }
        return out;
    }

    private static URI jwksUri(Node n) {
        String s = n.string("jwksUri", null);
        if (s == null) return null;
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            n.error("jwksUri", "is not a valid URI (" + e.getReason() + ")");
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            n.error("jwksUri", "must be an https:// URL (was '" + s + "')");
            return null;
        }
        if (scheme.equals("http") && !LOOPBACK.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
            n.error("jwksUri", "must use https (plain http is allowed only to a loopback address, where nobody can"
                    + " swap the keys on the way)");
            return null;
        }
        return uri;
    }

    private static List<String> algorithms(Node n) {
        if (!n.has("algorithms")) {
            n.skip("algorithms");
            return JwtProviderConfig.DEFAULT_ALGORITHMS;
        }
        List<String> algs = n.strings("algorithms");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < algs.size(); i++) {
            String a = algs.get(i);
            if (JwtProviderConfig.SUPPORTED_ALGORITHMS.contains(a)) {
                if (!out.contains(a)) out.add(a);
            } else if (a.equalsIgnoreCase("none") || a.toUpperCase(Locale.ROOT).startsWith("HS")) {
                n.error("algorithms[" + i + "]", "'" + a + "' is not accepted: only asymmetric algorithms ("
                        + String.join(", ", JwtProviderConfig.SUPPORTED_ALGORITHMS) + ")");
            } else {
                String hint = Names.closest(a, JwtProviderConfig.SUPPORTED_ALGORITHMS);
                n.error("algorithms[" + i + "]", "unknown algorithm '" + a + "'"
                        + (hint == null ? "; one of " + String.join(", ", JwtProviderConfig.SUPPORTED_ALGORITHMS)
                                : " (did you mean '" + hint + "'?)"));
            }
        }
        if (algs.isEmpty() && n.errors().isEmpty()) n.error("algorithms", "must name at least one algorithm");
        return out;
    }

    private static Map<String, String> claimHeaders(Node n) {
        Map<String, String> raw = n.stringMap("claimHeaders");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String header = e.getKey();
            String field = "claimHeaders." + header;
            if (!TOKEN.matcher(header).matches()) {
                n.error(field, "is not a valid header name");
            } else if (RESERVED_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
                n.error(field, "header '" + header + "' cannot be set from a claim");
            } else if (e.getValue().isBlank()) {
                n.error(field, "must name a claim");
            } else {
                out.put(header, e.getValue());
            }
        }
        return out;
    }

    private static List<String> headerNames(Node n, String field) {
        List<String> names = n.strings(field);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String h = names.get(i);
            if (!TOKEN.matcher(h).matches()) n.error(field + "[" + i + "]", "is not a valid header name ('" + h + "')");
            else out.add(h);
        }
        return out;
    }

    private static Path resolve(Node n, String field, Path baseDir, String path) {
        try {
            return baseDir.resolve(path).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            n.error(field, "'" + path + "' is not a valid path");
            return Path.of(path.replace('\0', '_'));
        }
    }

    private static ApiKeysConfig apiKeys(Node n, Path baseDir) {
        if (n == null) return null;
        String header = n.string("header", ApiKeysConfig.DEFAULT_HEADER);
        if (!TOKEN.matcher(header).matches()) n.error("header", "is not a valid header name ('" + header + "')");
        String query = n.string("queryParam", null);
        if (query != null && !QUERY_PARAM.matcher(query).matches()) {
            n.error("queryParam", "use 1-64 letters, digits, '_', '.', '~' or '-' (was '" + query + "')");
        }
        ApiKeysConfig.Store store = store(n.object("store"), baseDir);
        Duration ttl = n.duration("cacheTtl", ApiKeysConfig.DEFAULT_CACHE_TTL);
        if (ttl.isNegative() || ttl.compareTo(Duration.ofMinutes(10)) > 0) n.error("cacheTtl", "must be between 0s and 10m");
        Duration negative = n.duration("negativeCacheTtl", ApiKeysConfig.DEFAULT_NEGATIVE_CACHE_TTL);
        if (negative.isNegative() || negative.compareTo(Duration.ofMinutes(10)) > 0) {
            n.error("negativeCacheTtl", "must be between 0s and 10m");
        }
        boolean forward = n.bool("forwardKey", false);
        n.finish();
        return new ApiKeysConfig(header, query, store, ttl, negative, forward);
    }

    private static ApiKeysConfig.Store store(Node n, Path baseDir) {
        if (n == null) return fileStore(baseDir.resolve(ApiKeysConfig.DEFAULT_FILE).toAbsolutePath().normalize());
        String type = n.string("type", "file");
        ApiKeysConfig.Store out;
        switch (type) {
            case "file" -> {
                String path = n.string("path", ApiKeysConfig.DEFAULT_FILE.toString());
                if (path.isBlank()) n.error("path", "must not be empty");
                out = fileStore(path.isBlank() ? ApiKeysConfig.DEFAULT_FILE : resolve(n, "path", baseDir, path));
            }
            case "redis" -> {
                String uri = ConfigReader.redisUri(n, "uri");
                String prefix = n.string("keyPrefix", ApiKeysConfig.DEFAULT_REDIS_PREFIX);
                out = new ApiKeysConfig.Store(ApiKeysConfig.StoreType.REDIS, null, uri, prefix);
            }
            default -> {
                n.error("type", "must be file or redis (was '" + type + "')");
                out = fileStore(ApiKeysConfig.DEFAULT_FILE);
            }
        }
        n.finish();
        return out;
    }

    private static ApiKeysConfig.Store fileStore(Path path) {
        return new ApiKeysConfig.Store(ApiKeysConfig.StoreType.FILE, path, null, null);
    }

    /**
     * A route's {@code auth}: {@code none}, one credential ({@code jwt:NAME}, {@code apiKey}), or
     * {@code {anyOf: [...], scopes: [...]}} / {@code {allOf: [...], scopes: [...]}}.
     */
    static RouteAuth route(Node route, AuthConfig auth) {
        if (!route.has("auth")) {
            route.skip("auth");
            return RouteAuth.NONE;
        }
        if (route.isScalar("auth")) {
            String s = route.string("auth", "none");
            if (s.equals("none")) return RouteAuth.NONE;
            return credential(route, "auth", s, auth) ? new RouteAuth(RouteAuth.Mode.ANY_OF, List.of(s), List.of()) : null;
        }
        Node n = route.object("auth");
        if (n == null) return null;
        boolean any = n.has("anyOf");
        boolean all = n.has("allOf");
        if (any == all) {
            n.error(any ? "allOf" : "anyOf", "set exactly one of anyOf and allOf (or write auth: none)");
            n.skip("anyOf");
            n.skip("allOf");
            n.skip("scopes");
            n.finish();
            return null;
        }
        String field = any ? "anyOf" : "allOf";
        List<String> creds = n.strings(field);
        boolean ok = true;
        if (creds.isEmpty()) {
            n.error(field, "must name at least one credential (jwt:NAME or apiKey)");
            ok = false;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < creds.size(); i++) {
            ok &= credential(n, field + "[" + i + "]", creds.get(i), auth);
            if (!seen.add(creds.get(i))) {
                n.error(field + "[" + i + "]", "'" + creds.get(i) + "' is named twice");
                ok = false;
            }
        }
        List<String> scopes = n.strings("scopes");
        for (int i = 0; i < scopes.size(); i++) {
            String sc = scopes.get(i);
            if (sc.isEmpty() || sc.chars().anyMatch(c -> c <= 0x20 || c == '"' || c == '\\' || c >= 0x7f)) {
                n.error("scopes[" + i + "]", "a scope is printable ASCII without spaces, quotes or backslashes");
                ok = false;
            }
        }
        n.finish();
        if (!ok) return null;
        return new RouteAuth(any ? RouteAuth.Mode.ANY_OF : RouteAuth.Mode.ALL_OF, List.copyOf(creds), List.copyOf(scopes));
    }

    private static boolean credential(Node n, String field, String c, AuthConfig auth) {
        if (c.equals(RouteAuth.API_KEY)) {
            if (auth.apiKeys() != null) return true;
            n.error(field, "apiKey needs an auth.apiKeys section");
            return false;
        }
        if (c.startsWith(RouteAuth.JWT_PREFIX)) {
            String name = c.substring(RouteAuth.JWT_PREFIX.length());
            if (auth.jwtProvider(name) != null) return true;
            List<String> known = auth.jwt().stream().map(JwtProviderConfig::name).toList();
            String hint = Names.closest(name, known);
            n.error(field, "unknown JWT provider '" + name + "'" + (hint != null ? " (did you mean '" + hint + "'?)"
                    : known.isEmpty() ? " (auth.jwt declares none)" : ""));
            return false;
        }
        String hint = Names.closest(c, List.of("none", RouteAuth.API_KEY));
        n.error(field, "unknown credential '" + c + "': use jwt:NAME or apiKey"
                + (hint != null ? " (did you mean '" + hint + "'?)" : ""));
        return false;
    }
}
