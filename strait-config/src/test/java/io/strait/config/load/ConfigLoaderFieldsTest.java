package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HealthCheckConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.ListenerConfig.Protocol;
import io.strait.config.model.ObservabilityConfig;
import io.strait.config.model.PathPolicy;
import io.strait.config.model.PathPolicy.EncodedSlashes;
import io.strait.config.model.PoolConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.config.model.RouteMatch.ValueMatch;
import io.strait.config.model.RouteMatch.ValueMatch.Op;
import io.strait.config.model.StraitConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every field of every section, set to a value other than its default, lands in the model. */
class ConfigLoaderFieldsTest {
    private static final String CLUSTER = "clusters: {c: {endpoints: [{address: 127.0.0.1:9001}]}}\n";

    @Test
    void topLevelAdminAndObservability() {
        StraitConfig c = Yaml.load("""
                admin: {address: "[::1]:9999"}
                zone: eu-west-1a
                drainTimeout: 45s
                observability:
                  accessLog:
                    enabled: false
                    path: /var/log/strait/access.log
                    fields: [time, status, userAgent, traceId, upstreamMs, tenant]
                    format: text
                  tracing:
                    otlpEndpoint: http://127.0.0.1:4318/v1/traces
                    serviceName: edge
                    sampleRatio: 0.25
                    headers: {x-honeycomb-team: abc}
                    recent: {traces: 7}
                """);
        assertThat(c.admin().address()).isEqualTo(new HostPort("::1", 9999));
        assertThat(c.admin().address()).hasToString("[::1]:9999");
        assertThat(c.zone()).isEqualTo("eu-west-1a");
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.observability()).isEqualTo(new ObservabilityConfig(
                new ObservabilityConfig.AccessLog(false, "/var/log/strait/access.log",
                        List.of("time", "status", "userAgent", "traceId", "upstreamMs", "tenant"), ObservabilityConfig.AccessLog.Format.TEXT),
                new ObservabilityConfig.Tracing("http://127.0.0.1:4318/v1/traces", "edge", 0.25, java.util.Map.of("x-honeycomb-team", "abc"), 7)));
    }

    @Test
    void everyListenerField() {
        ListenerConfig l = Yaml.load("""
                listeners:
                  - name: public
                    address: 0.0.0.0:8000
                    protocols: [http1]
                    maxRequestLineLength: 4KiB
                    maxHeaderSize: 16384
                    maxHeaderCount: 50
                    maxRequestBodySize: 10MiB
                    requestHeadersTimeout: 10s
                    requestTimeout: 2m
                    idleTimeout: 500ms
                    xffTrustedHops: 2
                    paths: {mergeSlashes: false, encodedSlashes: decode}
                """).listeners().get(0);
        assertThat(l).isEqualTo(new ListenerConfig("public", new HostPort("0.0.0.0", 8000), Set.of(Protocol.HTTP1),
                4096, 16384, 50, 10L * 1024 * 1024, Duration.ofSeconds(10), Duration.ofMinutes(2),
                Duration.ofMillis(500), 2, new PathPolicy(false, EncodedSlashes.DECODE)));
    }

    @Test
    void severalListenersKeepOrderAndPortZeroIsAllowed() {
        var ls = Yaml.load("""
                listeners:
                  - {name: a, address: 127.0.0.1:0, protocols: [h2c]}
                  - {name: b, address: 127.0.0.1:0, paths: {encodedSlashes: keep}}
                """).listeners();
        assertThat(ls).extracting(ListenerConfig::name).containsExactly("a", "b");
        assertThat(ls.get(0).protocols()).containsExactly(Protocol.H2C);
        assertThat(ls.get(1).paths()).isEqualTo(new PathPolicy(true, EncodedSlashes.KEEP));
    }

    @Test
    void everyClusterField() {
        ClusterConfig c = Yaml.load("""
                zone: a
                clusters:
                  users:
                    endpoints:
                      - {address: 127.0.0.1:9001, zone: a, labels: {version: v1, tier: gold}, weight: 3}
                      - {address: "[fe80::1%eth0]:9002", zone: b}
                    loadBalancer: zone-aware
                    zoneAware: {minHealthyPercent: 50}
                    protocol: h2c
                    pool: {maxConnections: 8, maxPendingRequests: 0, idleTimeout: 30s, connectTimeout: 250ms, maxRequestsPerConnection: 1000}
                    healthCheck: {path: /healthz, host: users.internal, interval: 2s, timeout: 100ms, healthyThreshold: 3, unhealthyThreshold: 4}
                    dnsRefresh: 1m
                """).clusters().get("users");
        assertThat(c).isEqualTo(new ClusterConfig("users",
                List.of(new EndpointConfig(new HostPort("127.0.0.1", 9001), "a", Map.of("version", "v1", "tier", "gold"), 3),
                        new EndpointConfig(new HostPort("fe80::1%eth0", 9002), "b", Map.of(), 1)),
                LoadBalancerKind.ZONE_AWARE, null, new ClusterConfig.ZoneAware(50), UpstreamProtocol.H2C,
                new PoolConfig(8, 0, Duration.ofSeconds(30), Duration.ofMillis(250), 1000),
                new HealthCheckConfig("/healthz", "users.internal", Duration.ofSeconds(2), Duration.ofMillis(100), 3, 4),
                Duration.ofMinutes(1)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            round-robin    | ROUND_ROBIN
            least-request  | LEAST_REQUEST
            random         | RANDOM
            """)
    void simpleLoadBalancers(String written, LoadBalancerKind kind) {
        var c = Yaml.load("clusters: {c: {loadBalancer: " + written + ", endpoints: [{address: 127.0.0.1:1}]}}");
        assertThat(c.clusters().get("c").loadBalancer()).isEqualTo(kind);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {header: X-User-Id}      | x-user-id |         | false
            {cookie: session}        |           | session | false
            {sourceIp: true}         |           |         | true
            """)
    void ringHashKeys(String hashOn, String header, String cookie, boolean sourceIp) {
        var c = Yaml.load("clusters: {c: {loadBalancer: ring-hash, hashOn: " + hashOn + ", endpoints: [{address: 127.0.0.1:1}]}}");
        assertThat(c.clusters().get("c").loadBalancer()).isEqualTo(LoadBalancerKind.RING_HASH);
        assertThat(c.clusters().get("c").hashOn()).isEqualTo(new HashOn(header, cookie, sourceIp));
    }

    @Test
    void everyRouteField() {
        RouteConfig r = Yaml.load(CLUSTER + """
                routes:
                  - name: users
                    match:
                      pathPrefix: /api/v1/users
                      hosts: [API.example.com, "*.example.org"]
                      methods: [GET, POST]
                      headers:
                        - {name: X-Tenant, exact: acme}
                        - {name: X-Debug, present: true}
                        - {name: X-Canary, absent: true}
                        - {name: Accept, prefix: application/}
                        - {name: X-Version, regex: "v[0-9]+"}
                      query:
                        - {name: Debug, exact: "1"}
                        - {name: trace, present: true}
                    cluster: c
                    rewrite: {prefix: /users, host: users.internal}
                    timeout: 2s
                    maxRequestBodySize: 1MB
                """).routes().get(0);
        assertThat(r).isEqualTo(new RouteConfig("users",
                new RouteMatch(PathKind.PREFIX, "/api/v1/users", List.of("api.example.com", "*.example.org"),
                        Set.of("GET", "POST"),
                        List.of(new ValueMatch("x-tenant", Op.EXACT, "acme"), new ValueMatch("x-debug", Op.PRESENT, null),
                                new ValueMatch("x-canary", Op.ABSENT, null), new ValueMatch("accept", Op.PREFIX, "application/"),
                                new ValueMatch("x-version", Op.REGEX, "v[0-9]+")),
                        List.of(new ValueMatch("Debug", Op.EXACT, "1"), new ValueMatch("trace", Op.PRESENT, null))),
                "c", new RouteConfig.Rewrite("/users", "users.internal"), Duration.ofSeconds(2), 1_000_000L));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            path: /healthz                     | EXACT    | /healthz
            pathPrefix: /api                   | PREFIX   | /api
            pathTemplate: "/users/{id}/orders/{orderId}" | TEMPLATE | /users/{id}/orders/{orderId}
            pathTemplate: "/files/{**}"        | TEMPLATE | /files/{**}
            pathTemplate: /static/css          | TEMPLATE | /static/css
            pathRegex: '^/v[0-9]+/items$'      | REGEX    | ^/v[0-9]+/items$
            """)
    void pathKinds(String match, PathKind kind, String path) {
        RouteMatch m = Yaml.load(CLUSTER + "routes: [{cluster: c, match: {" + match + "}}]").routes().get(0).match();
        assertThat(m.pathKind()).isEqualTo(kind);
        assertThat(m.path()).isEqualTo(path);
    }

    @Test
    void exactPathAllowsAPrefixRewriteAndTimeoutZeroMeansNone() {
        RouteConfig r = Yaml.load(CLUSTER + "routes: [{cluster: c, match: {path: /old}, rewrite: {prefix: /new}, timeout: 0}]")
                .routes().get(0);
        assertThat(r.rewrite()).isEqualTo(new RouteConfig.Rewrite("/new", null));
        assertThat(r.timeout()).isZero();
    }

    @Test
    void routeBodyLimitZeroIsKeptAsAnOverride() {
        RouteConfig r = Yaml.load(CLUSTER + "routes: [{cluster: c, maxRequestBodySize: 0}]").routes().get(0);
        assertThat(r.maxRequestBodySize()).isZero();
    }

    @Test
    void routesKeepFileOrder() {
        var routes = Yaml.load(CLUSTER + """
                routes:
                  - {name: b, cluster: c, match: {pathPrefix: /b}}
                  - {name: a, cluster: c, match: {pathPrefix: /a}}
                  - {name: z, cluster: c}
                """).routes();
        assertThat(routes).extracting(RouteConfig::name).containsExactly("b", "a", "z");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0        | PT0S
            0s       | PT0S
            250us    | PT0.00025S
            250ms    | PT0.25S
            2s       | PT2S
            90s      | PT1M30S
            5m       | PT5M
            1h       | PT1H
            2d       | PT48H
            ' 3s '   | PT3S
            1.5s     | PT1.5S
            1m30s    | PT1M30S
            2h45m    | PT2H45M
            1h0m0.5s | PT1H0.5S
            1.5h     | PT1H30M
            100ns    | PT0.0000001S
            10µs     | PT0.00001S
            0.0000000001s | PT0S
            """)
    void durations(String written, Duration expected) {
        assertThat(Yaml.load("drainTimeout: '" + written + "'").drainTimeout()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0          | 0
            8192       | 8192
            "8192"     | 8192
            100B       | 100
            16KB       | 16000
            16KiB      | 16384
            '16 KiB'   | 16384
            10MB       | 10000000
            10MiB      | 10485760
            2GB        | 2000000000
            2GiB       | 2147483648
            """)
    void sizes(String written, long expected) {
        var l = Yaml.load("listeners: [{address: 127.0.0.1:8000, maxRequestBodySize: " + written + "}]").listeners().get(0);
        assertThat(l.maxRequestBodySize()).isEqualTo(expected);
    }

    @Test
    void hugeHeaderLimitsAreCappedAtIntMax() {
        var l = Yaml.load("listeners: [{address: 127.0.0.1:8000, maxHeaderSize: 4GiB, maxRequestLineLength: 3GiB}]")
                .listeners().get(0);
        assertThat(l.maxHeaderSize()).isEqualTo(Integer.MAX_VALUE);
        assertThat(l.maxRequestLineLength()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void yamlScalarsThatAreNotStringsStillReadAsStrings() {
        StraitConfig c = Yaml.load("""
                zone: 1
                clusters: {"7": {endpoints: [{address: 127.0.0.1:9001, labels: {canary: true, version: 2}}]}}
                routes: [{cluster: 7, match: {query: [{name: page, exact: 10}]}}]
                """);
        assertThat(c.zone()).isEqualTo("1");
        assertThat(c.clusters().get("7").endpoints().get(0).labels()).containsExactlyInAnyOrderEntriesOf(
                Map.of("canary", "true", "version", "2"));
        assertThat(c.routes().get(0).match().query()).containsExactly(new ValueMatch("page", Op.EXACT, "10"));
    }

    @Test
    void loadReadsAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var file = dir.resolve("strait.yaml");
        java.nio.file.Files.writeString(file, "drainTimeout: 3s\n");
        assertThat(ConfigLoader.load(file).drainTimeout()).isEqualTo(Duration.ofSeconds(3));
    }
}
