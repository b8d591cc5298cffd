package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.ListenerConfig.Protocol;
import io.strait.config.model.PathPolicy;
import io.strait.config.model.PoolConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.config.model.StraitConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a file gets for every setting it leaves out. */
class ConfigLoaderDefaultsTest {

    @Test
    void emptyObjectGivesEveryTopLevelDefault() {
        StraitConfig c = Yaml.load("{}");
        assertThat(c.admin().address()).isEqualTo(new HostPort("127.0.0.1", 9901)).isEqualTo(DEFAULT_ADMIN);
        assertThat(c.listeners()).containsExactly(new ListenerConfig("http", new HostPort("127.0.0.1", 8080),
                Set.of(Protocol.HTTP1, Protocol.H2C), 8192, 32768, 100, 0, Duration.ofSeconds(30), Duration.ZERO,
                Duration.ofSeconds(60), 0, new PathPolicy(true, PathPolicy.EncodedSlashes.REJECT)));
        assertThat(c.clusters()).isEmpty();
        assertThat(c.routes()).isEmpty();
        assertThat(c.zone()).isNull();
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(15));
        var log = c.observability().accessLog();
        assertThat(log.enabled()).isTrue();
        assertThat(log.path()).isEqualTo("stdout");
        assertThat(log.fields()).isEqualTo(DEFAULT_ACCESS_LOG_FIELDS).doesNotContain("userAgent", "upstreamMs")
                .contains("traceId", "tenant", "keyId", "subject");
        var tracing = c.observability().tracing();
        assertThat(tracing.otlpEndpoint()).isNull();
        // unset: the OTEL_* environment fills them in, else strait and 1.0 (OtelSettings)
        assertThat(tracing.serviceName()).isNull();
        assertThat(tracing.sampleRatio()).isNull();
        assertThat(tracing.headers()).isEmpty();
        assertThat(tracing.recentTraces()).isEqualTo(DEFAULT_RECENT_TRACES);
    }

    @Test
    void emptySectionsAndEmptyValuesMeanDefaults() {
        StraitConfig c = Yaml.load("""
                admin: {}
                listeners:
                observability: {accessLog: {}, tracing: {}}
                zone:
                drainTimeout:
                """);
        assertThat(c).isEqualTo(Yaml.load("{}"));
    }

    @Test
    void listenerDefaultsAreTheNamedConstants() {
        ListenerConfig l = Yaml.load("listeners: [{address: 0.0.0.0:8000}]").listeners().get(0);
        assertThat(l.name()).isEqualTo("listener-0");
        assertThat(l.address()).isEqualTo(new HostPort("0.0.0.0", 8000));
        assertThat(l.protocols()).containsExactlyInAnyOrder(Protocol.values());
        assertThat(l.maxRequestLineLength()).isEqualTo(DEFAULT_MAX_REQUEST_LINE);
        assertThat(l.maxHeaderSize()).isEqualTo(DEFAULT_MAX_HEADER_SIZE);
        assertThat(l.maxHeaderCount()).isEqualTo(DEFAULT_MAX_HEADER_COUNT);
        assertThat(l.maxRequestBodySize()).isEqualTo(DEFAULT_MAX_REQUEST_BODY_SIZE).isZero();
        assertThat(l.requestHeadersTimeout()).isEqualTo(DEFAULT_REQUEST_HEADERS_TIMEOUT);
        assertThat(l.requestTimeout()).isEqualTo(DEFAULT_REQUEST_TIMEOUT).isZero();
        assertThat(l.idleTimeout()).isEqualTo(DEFAULT_IDLE_TIMEOUT);
        assertThat(l.xffTrustedHops()).isEqualTo(DEFAULT_XFF_TRUSTED_HOPS).isZero();
        assertThat(l.paths()).isEqualTo(PathPolicy.DEFAULT);
        assertThat(Yaml.load("listeners: [{address: 0.0.0.0:8000, paths: {}}]").listeners().get(0).paths())
                .isEqualTo(PathPolicy.DEFAULT);
    }

    @Test
    void clusterDefaultsAreTheNamedConstants() {
        ClusterConfig c = Yaml.load("clusters: {users: {endpoints: [{address: 'users.internal:9001'}]}}")
                .clusters().get("users");
        assertThat(c.name()).isEqualTo("users");
        assertThat(c.endpoints()).containsExactly(new EndpointConfig(new HostPort("users.internal", 9001), null, Map.of(), 1));
        assertThat(c.loadBalancer()).isEqualTo(DEFAULT_LOAD_BALANCER).isEqualTo(LoadBalancerKind.ROUND_ROBIN);
        assertThat(c.hashOn()).isNull();
        assertThat(c.zoneAware()).isNull();
        assertThat(c.protocol()).isEqualTo(DEFAULT_UPSTREAM_PROTOCOL).isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(c.pool()).isEqualTo(new PoolConfig(1024, 1024, Duration.ofSeconds(60), Duration.ofSeconds(5), 0))
                .isEqualTo(new PoolConfig(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_REQUESTS,
                        DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_REQUESTS_PER_CONNECTION));
        assertThat(c.healthCheck()).isNull();
        assertThat(c.dnsRefresh()).isEqualTo(DEFAULT_DNS_REFRESH);
    }

    @Test
    void emptyPoolAndMinimalHealthCheckTakeDefaults() {
        ClusterConfig c = Yaml.load("""
                clusters:
                  users:
                    endpoints: [{address: 127.0.0.1:9001}]
                    pool: {}
                    healthCheck: {path: /healthz}
                """).clusters().get("users");
        assertThat(c.pool()).isEqualTo(Yaml.load("clusters: {u: {endpoints: [{address: 127.0.0.1:1}]}}")
                .clusters().get("u").pool());
        var hc = c.healthCheck();
        assertThat(hc.path()).isEqualTo("/healthz");
        assertThat(hc.host()).isNull();
        assertThat(hc.interval()).isEqualTo(DEFAULT_HEALTH_INTERVAL).isEqualTo(Duration.ofSeconds(5));
        assertThat(hc.timeout()).isEqualTo(DEFAULT_HEALTH_TIMEOUT).isEqualTo(Duration.ofSeconds(1));
        assertThat(hc.healthyThreshold()).isEqualTo(DEFAULT_HEALTHY_THRESHOLD).isEqualTo(1);
        assertThat(hc.unhealthyThreshold()).isEqualTo(DEFAULT_UNHEALTHY_THRESHOLD).isEqualTo(2);
    }

    @Test
    void zoneAwareWithoutSettingsGetsTheDefaultThreshold() {
        ClusterConfig c = Yaml.load("""
                zone: a
                clusters:
                  users: {loadBalancer: zone-aware, endpoints: [{address: 127.0.0.1:9001, zone: a}]}
                """).clusters().get("users");
        assertThat(c.zoneAware()).isEqualTo(new ClusterConfig.ZoneAware(DEFAULT_ZONE_MIN_HEALTHY_PERCENT));
        assertThat(DEFAULT_ZONE_MIN_HEALTHY_PERCENT).isEqualTo(70);
    }

    @Test
    void routeDefaultsMatchEverythingWithTheDefaultTimeout() {
        RouteConfig r = Yaml.load("""
                clusters: {users: {endpoints: [{address: 127.0.0.1:9001}]}}
                routes: [{cluster: users}, {cluster: users, match: {}}]
                """).routes().get(0);
        assertThat(r.name()).isEqualTo("route-0");
        assertThat(r.match()).isEqualTo(new RouteMatch(PathKind.PREFIX, "/", List.of(), Set.of(), List.of(), List.of()));
        assertThat(r.cluster()).isEqualTo("users");
        assertThat(r.rewrite()).isNull();
        assertThat(r.timeout()).isEqualTo(DEFAULT_ROUTE_TIMEOUT).isEqualTo(Duration.ofSeconds(15));
        assertThat(r.maxRequestBodySize()).isNull();
    }

    @Test
    void secondRouteWithEmptyMatchAlsoMatchesEverything() {
        var routes = Yaml.load("""
                clusters: {users: {endpoints: [{address: 127.0.0.1:9001}]}}
                routes: [{cluster: users}, {cluster: users, match: {}, maxRequestBodySize: }]
                """).routes();
        assertThat(routes.get(1).name()).isEqualTo("route-1");
        assertThat(routes.get(1).match()).isEqualTo(routes.get(0).match());
        assertThat(routes.get(1).maxRequestBodySize()).isNull();
    }

    @Test
    void theResultIsImmutable() {
        StraitConfig c = Yaml.load("""
                clusters: {users: {endpoints: [{address: 127.0.0.1:9001, labels: {v: '1'}}]}}
                routes: [{cluster: users, match: {methods: [GET], hosts: [a.example]}}]
                """);
        assertThat(c.listeners()).isUnmodifiable();
        assertThat(c.clusters()).isUnmodifiable();
        assertThat(c.routes()).isUnmodifiable();
        assertThat(c.listeners().get(0).protocols()).isUnmodifiable();
        assertThat(c.clusters().get("users").endpoints()).isUnmodifiable();
        assertThat(c.clusters().get("users").endpoints().get(0).labels()).isUnmodifiable();
        assertThat(c.routes().get(0).match().methods()).isUnmodifiable();
        assertThat(c.routes().get(0).match().hosts()).isUnmodifiable();
        assertThat(c.observability().accessLog().fields()).isUnmodifiable();
    }

    @Test
    void clustersKeepFileOrder() {
        StraitConfig c = Yaml.load("""
                clusters:
                  zeta: {endpoints: [{address: 127.0.0.1:1}]}
                  alpha: {endpoints: [{address: 127.0.0.1:2}]}
                  mid: {endpoints: [{address: 127.0.0.1:3}]}
                """);
        assertThat(c.clusters().keySet()).containsExactly("zeta", "alpha", "mid");
    }
}
