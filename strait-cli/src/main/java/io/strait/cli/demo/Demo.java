package io.strait.cli.demo;

import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.GatewayFilters;
import io.strait.gateway.StandardAuthenticators;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import io.strait.proxy.runtime.ProxyServer;
import io.strait.proxy.tls.CertificateSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code strait demo}: three services (users x3, orders x2, products x3: two of version v1 and one
 * of v2, which gets 10% of the traffic, or all of it with {@code X-Version: v2}) on ephemeral loopback
 * ports, each instance behind its mesh sidecar ({@link DemoMesh}: a control plane, STRICT mutual TLS, the
 * orders policy), a gateway in front of them on 127.0.0.1:8080 with its admin on 9901, which calls the
 * sidecars with its own SVID, the generated configuration in {@code .strait/demo.yaml} (edit it: the gateway
 * reloads it) and the URLs, a token, an API key and the mesh's addresses in {@code .strait/demo.env}. Every
 * service route needs a JWT (issued by the demo's own {@link DemoIssuer}, keys served as a JWKS on loopback) or
 * an API key (a file store in {@code .strait/demo-apikeys.json}, made afresh at every start).
 */
public final class Demo implements AutoCloseable {
    private static final Map<String, Integer> INSTANCES = new LinkedHashMap<>();

    static {
        INSTANCES.put("users", 3);
        INSTANCES.put("orders", 2);
        INSTANCES.put("products", 3);
    }

    /** The demo user's scopes: read access to every service, and creating orders. */
    static final List<String> SCOPES = List.of("users:read", "orders:read", "orders:write", "products:read");
    /** The service whose POST route needs {@link #WRITE_SCOPE} (and which the mesh policy guards). */
    static final String WRITE_SERVICE = "orders";
    static final String WRITE_SCOPE = "orders:write";
    static final String TENANT = "demo";
    /** The service that runs two versions: its last instance is v2, the canary. */
    static final String CANARY_SERVICE = "products";
    /** The canary's share of the traffic, in percent. */
    static final int CANARY_PERCENT = 10;

    /** The version an instance runs: v2 for the last products instance, v1 for every other. */
    static String version(String service, int index, int instances) {
        return service.equals(CANARY_SERVICE) && index == instances ? "v2" : "v1";
    }

    private final List<DemoService> services = new ArrayList<>();
    private DemoMesh mesh;
    private DemoIssuer issuer;
    private String token;
    private String apiKey;
    private ProxyServer gateway;
    private String gatewayUrl;
    private String adminUrl;
    private Path dir;

    private Demo() {}

    public static Demo start(Path dir, int port, int adminPort) throws Exception {
        Demo d = new Demo();
        d.dir = dir;
        try {
            for (var e : INSTANCES.entrySet()) {
                for (int i = 1; i <= e.getValue(); i++) d.services.add(new DemoService(e.getKey(), i, version(e.getKey(), i, e.getValue())));
            }
            Files.createDirectories(dir);
            d.mesh = DemoMesh.start(dir, d.services);
            Map<String, List<Integer>> ports = new LinkedHashMap<>(); // the gateway calls each instance's sidecar
            for (DemoService s : d.services) ports.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(d.mesh.inbound(s).port());
            d.issuer = new DemoIssuer();
            d.token = d.issuer.token("demo-user", TENANT, SCOPES);
            Path keys = dir.toAbsolutePath().resolve("demo-apikeys.json");
            Files.deleteIfExists(keys);
            try (FileApiKeyStore store = FileApiKeyStore.open(keys)) {
                d.apiKey = IssuedKey.issue(store, TENANT, "demo", SCOPES, List.of(), null, Instant.now()).key();
            }
            Path config = dir.resolve("demo.yaml");
            DemoGraphql.writeSchema(dir);
            Files.writeString(config, config(ports, port, adminPort, d.issuer.jwksUri(), keys));
            StraitConfig c = ConfigLoader.load(config, GatewayFilters.CATALOG);
            CertificateSources certificates = new CertificateSources();
            for (String svc : INSTANCES.keySet()) certificates.cluster(svc, d.mesh.gatewayCertificates());
            d.gateway = ProxyServer.start(c, config, new GatewayFilters(new StandardAuthenticators()), certificates);
            d.mesh.feed(d.gateway, INSTANCES.keySet());
            d.gatewayUrl = "http://127.0.0.1:" + d.gateway.port("public");
            d.adminUrl = "http://127.0.0.1:" + d.gateway.adminPort();
            Path env = dir.resolve("demo.env");
            StringBuilder lines = new StringBuilder("STRAIT_GATEWAY_URL=" + d.gatewayUrl + "\nSTRAIT_ADMIN_URL=" + d.adminUrl
                    + "\nSTRAIT_DEMO_TOKEN=" + d.token + "\nSTRAIT_DEMO_API_KEY=" + d.apiKey + "\n");
            d.mesh.env(INSTANCES.keySet()).forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
            Files.writeString(env, lines);
            restrict(env);
            return d;
        } catch (Exception e) {
            d.close();
            throw e;
        }
    }

    /** demo.env holds a token and a key: readable by its owner only, where the file system allows. */
    private static void restrict(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: leave the default
        }
    }

    /** Low enough that a short curl loop shows 429: each caller (the token's user, the key) gets 10 requests per 10 s. */
    static final int DEMO_LIMIT = 10;
    static final String DEMO_WINDOW = "10s";

    /** The API whose versions v1 and v2 run side by side ({@code versionSets}): v1 deprecated, v2 its successor. */
    static final String VERSIONED_SERVICE = "users";
    /** v1 of the users API was deprecated this long before the demo started. */
    static final java.time.Duration V1_DEPRECATED_AGO = java.time.Duration.ofDays(30);
    /** ...and is retired (410 Gone) this long after the demo started. */
    static final java.time.Duration V1_SUNSET_AFTER = java.time.Duration.ofDays(365);

    static String config(Map<String, List<Integer>> ports, int port, int adminPort, String jwksUri, Path apiKeys) {
        return config(ports, port, adminPort, jwksUri, apiKeys, Instant.now());
    }

    /** The demo's configuration; {@code started} places v1's deprecation in the past and its sunset a year ahead. */
    static String config(Map<String, List<Integer>> ports, int port, int adminPort, String jwksUri, Path apiKeys,
            Instant started) {
        StringBuilder y = new StringBuilder();
        y.append("# Generated by `strait demo`. Edit and save: the gateway reloads this file.\n");
        y.append("admin: {address: 127.0.0.1:").append(adminPort).append("}\n");
        y.append("listeners:\n  - {name: public, address: 127.0.0.1:").append(port).append("}\n");
        y.append("auth:\n");
        y.append("  jwt:\n    - {name: demo, issuer: \"").append(DemoIssuer.ISSUER).append("\", audiences: [")
                .append(DemoIssuer.AUDIENCE).append("], jwksUri: \"").append(jwksUri).append("\", algorithms: [ES256]}\n");
        // a key made with `strait apikey create --config demo.yaml` works within a second (the file is read again every
        // second); an unknown key is remembered as unknown for a second only, so trying it too early costs nothing
        y.append("  apiKeys: {header: X-API-Key, store: {type: file, path: \"").append(apiKeys)
                .append("\"}, negativeCacheTtl: 1s}\n");
        y.append("rateLimits:\n  policies:\n");
        y.append("    per-client: {limit: ").append(DEMO_LIMIT).append(", window: ").append(DEMO_WINDOW)
                .append(", key: [client]}\n");
        DemoBff.policies(y);
        y.append("clusters:\n");
        String[] balancers = {"round-robin", "least-request", "random"};
        int i = 0;
        for (var e : ports.entrySet()) {
            y.append("  ").append(e.getKey()).append(":\n    endpoints:\n");
            List<Integer> instances = e.getValue();
            for (int n = 0; n < instances.size(); n++) {
                y.append("      - {address: 127.0.0.1:").append(instances.get(n)).append(", labels: {version: ")
                        .append(version(e.getKey(), n + 1, instances.size())).append("}}\n");
            }
            y.append("    loadBalancer: ").append(balancers[i++ % balancers.length]).append('\n');
            y.append("    # mutual TLS to the ").append(e.getKey()).append(" sidecars, which must prove the service's SPIFFE ID; the gateway's\n");
            y.append("    # own SVID (").append(DemoMesh.spiffeId(DemoMesh.GATEWAY_ACCOUNT))
                    .append(") and the mesh's trust bundle come from the control plane, in memory\n");
            y.append("    tls: {sni: ").append(e.getKey()).append('.').append(DemoMesh.NAMESPACE).append(".svc.cluster.local")
                    .append(", verifySubjectAltName: [\"").append(DemoMesh.spiffeId(e.getKey())).append("\"], minVersion: TLSv1.3}\n");
            y.append("    healthCheck: {path: /healthz, interval: 2s}\n");
            y.append("    outlierDetection: {consecutive5xxErrors: 3, interval: 5s, baseEjectionTime: 10s, maxEjectionPercent: 50}\n");
        }
        boolean versioned = ports.containsKey(VERSIONED_SERVICE);
        if (versioned) versionSet(y, started);
        y.append("routes:\n");
        for (String svc : ports.keySet()) {
            boolean canary = svc.equals(CANARY_SERVICE) && ports.get(svc).size() > 1;
            if (canary) {
                y.append("  # X-Version: v2 pins a caller to the canary\n");
                route(y, svc + "-v2", svc, ", headers: [{name: X-Version, exact: v2}]", svc + ":read", false);
                y.append("    subset: {version: v2}\n");
                y.append("  # ").append(100 - CANARY_PERCENT).append("/").append(CANARY_PERCENT)
                        .append(" between the versions; no rate limit here, so a loop can show the split\n");
            }
            if (svc.equals(WRITE_SERVICE)) {
                y.append("  # creating an order needs ").append(WRITE_SCOPE).append("; the mesh's policy lets only the gateway and checkout POST orders\n");
                route(y, svc + "-write", svc, ", methods: [POST]", WRITE_SCOPE, true);
            }
            route(y, svc, svc, "", svc + ":read", !canary);
            if (svc.equals(VERSIONED_SERVICE)) {
                y.append("    # v1 of the users API: its responses announce the deprecation, the sunset and v2 (Deprecation, Sunset, Link)\n");
                y.append("      - version: {set: ").append(svc).append(", name: v1}\n");
                y.append("  # v2 of the users API, side by side with v1 (/api/users, without a version, is served as v2)\n");
                route(y, svc + "-v2", "/api/v2/" + svc, svc, "", svc + ":read", true);
                y.append("      - version: {set: ").append(svc).append(", name: v2}\n");
            }
            if (canary) {
                y.append("    split: [{subset: {version: v1}, weight: ").append(100 - CANARY_PERCENT)
                        .append("}, {subset: {version: v2}, weight: ").append(CANARY_PERCENT).append("}]\n");
            }
        }
        // the GraphQL route and the BFFs compose all three services (a config for some of them, as tests build, has neither)
        if (ports.keySet().containsAll(List.of("users", "orders", "products"))) {
            DemoGraphql.route(y, DEMO_WEB_ORIGIN);
            DemoBff.routes(y);
        }
        return y.toString();
    }

    /** The users API's version set: v1 deprecated {@link #V1_DEPRECATED_AGO} before {@code started}, retired a year after. */
    private static void versionSet(StringBuilder y, Instant started) {
        Instant deprecated = started.minus(V1_DEPRECATED_AGO).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant sunset = started.plus(V1_SUNSET_AFTER).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        y.append("versionSets:\n");
        y.append("  # the users API runs v1 and v2 side by side; v1 is deprecated and answers 410 Gone after its sunset\n");
        y.append("  ").append(VERSIONED_SERVICE).append(":\n    scheme: path\n    default: v2\n    versions:\n");
        y.append("      v1:\n        deprecated: ").append(deprecated).append("\n        sunset: ").append(sunset)
                .append("\n        successor: v2\n");
        y.append("        links: {deprecation: \"https://docs.example.com/users/v1-deprecation\","
                + " sunset: \"https://docs.example.com/users/v1-sunset\"}\n");
        y.append("      v2: {}\n");
    }

    private static void route(StringBuilder y, String name, String svc, String extraMatch, String scope, boolean rateLimited) {
        route(y, name, "/api/v1/" + svc, svc, extraMatch, scope, rateLimited);
    }

    private static void route(StringBuilder y, String name, String prefix, String svc, String extraMatch, String scope,
            boolean rateLimited) {
        y.append("  - name: ").append(name).append('\n');
        y.append("    match: {pathPrefix: ").append(prefix).append(extraMatch).append("}\n");
        y.append("    cluster: ").append(svc).append('\n');
        y.append("    timeout: 5s\n");
        y.append("    retries: {attempts: 2, retryOn: [connect-failure, gateway-error]}\n");
        // the filters run in the order written (responses in reverse): a browser's preflight is answered
        // before auth asks for credentials, and every answer (a 401 or a 429 too) carries the CORS headers
        y.append("    filters:\n");
        y.append("      - cors: {allowOrigins: [\"").append(DEMO_WEB_ORIGIN)
                .append("\"], allowHeaders: [Authorization, X-API-Key, X-Version], maxAge: 10m}\n");
        y.append("      - auth: {anyOf: [jwt:demo, apiKey], scopes: [").append(scope).append("]}\n");
        if (rateLimited) y.append("      - rateLimit: [per-client]\n");
        y.append("      - headers: {request: {set: {X-Gateway-Route: \"%route%\"}}, response: {set: {X-Served-By: strait}}}\n");
    }

    /** The web app origin the demo's CORS filter allows (a front end on a developer's machine). */
    public static final String DEMO_WEB_ORIGIN = "http://localhost:3000";

    public String banner() {
        return String.join("\n",
                "Strait demo is running.",
                "  gateway  " + gatewayUrl,
                "  admin    " + adminUrl,
                "  dashboard " + adminUrl + "/ui (traffic, routes, clusters, errors, traces); the mesh's: " + mesh.adminUrl() + "/ui",
                "  config   " + dir.resolve("demo.yaml") + " (edit it: the gateway reloads it)",
                "  env      " + dir.resolve("demo.env"),
                "",
                "Every route needs a token or an API key; both are in demo.env:",
                "  source " + dir.resolve("demo.env"),
                "Try:",
                "  curl -s -H \"Authorization: Bearer $STRAIT_DEMO_TOKEN\" " + gatewayUrl + "/api/v1/users/42",
                "  curl -s -H \"X-API-Key: $STRAIT_DEMO_API_KEY\" " + gatewayUrl + "/api/v1/orders",
                "  curl -s -i " + gatewayUrl + "/api/v1/products/7          # 401 and a WWW-Authenticate challenge",
                "  curl -s " + gatewayUrl + "/nowhere            # 404 JSON error",
                "  for i in $(seq 12); do curl -s -o /dev/null -w '%{http_code} ' -H \"X-API-Key: $STRAIT_DEMO_API_KEY\" "
                        + gatewayUrl + "/api/v1/orders; done; echo   # " + DEMO_LIMIT + " per " + DEMO_WINDOW + " per caller, then 429",
                "  for i in $(seq 20); do curl -s -H \"X-API-Key: $STRAIT_DEMO_API_KEY\" " + gatewayUrl
                        + "/api/v1/products | grep -o '\"version\":\"v.\"'; done | sort | uniq -c   # about "
                        + (100 - CANARY_PERCENT) + "% v1, " + CANARY_PERCENT + "% v2",
                "  curl -s -H \"X-Version: v2\" -H \"X-API-Key: $STRAIT_DEMO_API_KEY\" " + gatewayUrl + "/api/v1/products   # always v2",
                "  curl -i -H \"Authorization: Bearer $STRAIT_DEMO_TOKEN\" " + gatewayUrl
                        + "/api/v1/users   # v1 is deprecated: Deprecation, Sunset and Link (successor /api/v2/users)",
                "  curl -s -H \"Authorization: Bearer $STRAIT_DEMO_TOKEN\" " + gatewayUrl + "/api/v2/users/42   # v2's shape",
                "  curl -s -H \"X-API-Key: $STRAIT_DEMO_API_KEY\" -H 'Content-Type: application/json' " + gatewayUrl
                        + "/graphql -d '{\"query\":\"{ orders { id total user { name } product { name } } }\"}'   # GraphQL: 3 REST calls",
                "  curl -s -H \"X-API-Key: $STRAIT_DEMO_API_KEY\" '" + gatewayUrl + "/mobile/users/42?fields=data.name'   # mobile BFF: picked fields",
                "  curl -s -H \"X-API-Key: $STRAIT_DEMO_API_KEY\" " + gatewayUrl + "/web/home/42   # web BFF: users, orders, products in one",
                "  curl -s " + adminUrl + "/clusters",
                "  curl -s " + adminUrl + "/metrics | grep strait_",
                String.join("\n", mesh.banner(gatewayUrl)),
                "Ctrl-C stops everything.");
    }

    /** The gateway (tests). */
    ProxyServer gateway() {
        return gateway;
    }

    /** The demo's mesh (tests). */
    DemoMesh mesh() {
        return mesh;
    }

    @Override
    public void close() {
        if (gateway != null) gateway.shutdown();
        if (mesh != null) mesh.close();
        services.forEach(DemoService::close);
        if (issuer != null) issuer.close();
    }
}
