package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.FilterConfig;
import io.strait.config.model.FilterSpec;
import io.strait.config.model.HealthCheckConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.RouteAuth;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteRateLimit;
import io.strait.config.model.StraitConfig;
import io.strait.config.model.TrafficPolicy;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one validation pass: a model built by code with a bad field gets the error the same field gives in a
 * document, with the same path and words; and it never throws.
 */
class ConfigValidatorTest {
    /** A valid document: one listener, clusters users (labels v1, v2) and orders, one route to users. */
    static final String VALID = """
            listeners: [{name: l, address: 127.0.0.1:8080}]
            clusters:
              users: {endpoints: [{address: 127.0.0.1:9001, labels: {version: v1}}, {address: 127.0.0.1:9002, labels: {version: v2}}]}
              orders: {endpoints: [{address: 127.0.0.1:9003}]}
            routes:
              - {name: r, cluster: users, match: {pathPrefix: /a}}
            """;

    /**
     * One case: {@code bad} is {@link #VALID} with {@code from} replaced by {@code to} (one field made wrong in the
     * document); {@code edit} makes the same field wrong in the model read from {@link #VALID}.
     */
    static Arguments same(String from, String to, UnaryOperator<StraitConfig> edit, String expected) {
        assertThat(VALID).contains(from);
        return Arguments.of(VALID.replace(from, to), edit, expected);
    }

    static Stream<Arguments> badFields() {
        return Stream.of(
                same("address: 127.0.0.1:8080}", "address: 127.0.0.1:8080, idleTimeout: 0}",
                        c -> listener(c, l -> with(l, "idleTimeout", Duration.ZERO)),
                        "listeners[0].idleTimeout: must be greater than 0"),
                same("127.0.0.1:8080", "'127.0.0.1:70000'",
                        c -> listener(c, l -> with(l, "address", new HostPort("127.0.0.1", 70000))),
                        "listeners[0].address: must be host:port, such as 127.0.0.1:8080 or [::1]:8080 (was '127.0.0.1:70000')"),
                same("address: 127.0.0.1:8080}", "address: 127.0.0.1:8080, xffTrustedHops: 11}",
                        c -> listener(c, l -> with(l, "xffTrustedHops", 11)),
                        "listeners[0].xffTrustedHops: must be between 0 and 10 (was 11)"),
                same("{endpoints: [{address: 127.0.0.1:9003}]}", "{endpoints: []}",
                        c -> cluster(c, "orders", k -> with(k, "endpoints", List.of())),
                        "clusters.orders.endpoints: must list at least one endpoint"),
                same("127.0.0.1:9003}", "127.0.0.1:9003, weight: 0}",
                        c -> cluster(c, "orders", k -> with(k, "endpoints", List.of(with(k.endpoints().get(0), "weight", 0)))),
                        "clusters.orders.endpoints[0].weight: must be between 1 and 1000 (was 0)"),
                same("{address: 127.0.0.1:9003}", "{address: 'orders:0'}",
                        c -> cluster(c, "orders", k -> with(k, "endpoints",
                                List.of(new EndpointConfig(new HostPort("orders", 0), null, Map.of(), 1)))),
                        "clusters.orders.endpoints[0].address: port must be 1-65535"),
                same("127.0.0.1:9003}]}", "127.0.0.1:9003}], healthCheck: {path: health}}",
                        c -> cluster(c, "orders", k -> with(k, "healthCheck", new HealthCheckConfig("health", null,
                                Duration.ofSeconds(5), Duration.ofSeconds(1), 1, 2))),
                        "clusters.orders.healthCheck.path: must start with '/'"),
                same("127.0.0.1:9003}]}", "127.0.0.1:9003}], outlierDetection: {consecutive5xxErrors: 0}}",
                        c -> cluster(c, "orders", k -> with(k, "outlierDetection", new OutlierDetectionConfig(0, 0,
                                Duration.ofSeconds(10), Duration.ofSeconds(30), 10))),
                        "clusters.orders.outlierDetection: consecutive5xxErrors and consecutiveGatewayErrors are both 0:"
                                + " nothing would be ejected"),
                same("cluster: users,", "cluster: userz,",
                        c -> route(c, r -> with(r, "cluster", "userz")),
                        "routes[0].cluster: unknown cluster 'userz' (did you mean 'users'?)"),
                same("pathPrefix: /a}", "pathPrefix: /a/../b}",
                        c -> route(c, r -> with(r, "match", with(r.match(), "path", "/a/../b"))),
                        "routes[0].match.pathPrefix: must not contain '.' or '..' segments (requests are matched after removing them)"),
                same("pathPrefix: /a}", "pathPrefix: /a, methods: [get]}",
                        c -> route(c, r -> with(r, "match", with(r.match(), "methods", Set.of("get")))),
                        "routes[0].match.methods: unknown method 'get'; methods are upper-case: GET"),
                same("match: {pathPrefix: /a}}", "match: {pathPrefix: /a}, retries: {attempts: 11}}",
                        c -> route(c, r -> with(r, "retries", with(RetryPolicy.DEFAULT, "attempts", 11))),
                        "routes[0].retries.attempts: must be between 0 and 10 (was 11)"),
                same("match: {pathPrefix: /a}}", "match: {pathPrefix: /a}, retries: {attempts: 3, retryOn: []}}",
                        c -> route(c, r -> with(r, "retries", with(with(RetryPolicy.DEFAULT, "attempts", 3), "retryOn", Set.of()))),
                        "routes[0].retries.retryOn: must list at least one of 5xx, gateway-error, connect-failure, reset"
                                + " or a status code (leave it out for connect-failure)"),
                same("match: {pathPrefix: /a}}", "match: {pathPrefix: /a}, timeout: 1s, retries: {perTryTimeout: 2s}}",
                        c -> route(c, r -> with(with(r, "timeout", Duration.ofSeconds(1)), "retries",
                                with(RetryPolicy.DEFAULT, "perTryTimeout", Duration.ofSeconds(2)))),
                        "routes[0].retries.perTryTimeout: must be at most the route's timeout (1s)"),
                same("match: {pathPrefix: /a}}", "match: {pathPrefix: /a},"
                                + " split: [{subset: {version: v1}, weight: 0}, {subset: {version: v2}, weight: 0}]}",
                        c -> route(c, r -> with(r, "traffic", with(TrafficPolicy.NONE, "split", List.of(
                                new TrafficPolicy.Split(Map.of("version", "v1"), 0), new TrafficPolicy.Split(Map.of("version", "v2"), 0))))),
                        "routes[0].split: needs at least one weight above 0"),
                same("match: {pathPrefix: /a}}", "match: {pathPrefix: /a}, subset: {version: v3}}",
                        c -> route(c, r -> with(r, "traffic", with(TrafficPolicy.NONE, "subset", Map.of("version", "v3")))),
                        "routes[0].subset: no endpoint of cluster 'users' has labels {version=v3}"),
                same("match: {pathPrefix: /a}}", "match: {pathPrefix: /a}, mirror: {cluster: users}}",
                        c -> route(c, r -> with(r, "traffic", with(TrafficPolicy.NONE, "mirror", new TrafficPolicy.Mirror("users", 100)))),
                        "routes[0].mirror.cluster: must differ from the route's cluster 'users'"),
                same("match: {pathPrefix: /a}}", "match: {pathPrefix: /a}, filters: [{corz: {}}]}",
                        c -> route(c, r -> with(r, "filters", List.of(new FilterSpec("corz", new FilterConfig() {}, null)))),
                        "routes[0].filters[0].corz: unknown filter 'corz' (this process knows auth, rateLimit)"),
                same("match: {pathPrefix: /a}}", "match: {pathPrefix: /a}, filters: [{rateLimit: [nope]}]}",
                        c -> route(c, r -> with(r, "filters", List.of(new FilterSpec("rateLimit", new RouteRateLimit(List.of("nope")), null)))),
                        "routes[0].filters[0].rateLimit[0]: unknown rate-limit policy 'nope' (rateLimits.policies declares none)"),
                same("match: {pathPrefix: /a}}", "match: {pathPrefix: /a}, filters: [{auth: {anyOf: ['jwt:main']}}]}",
                        c -> route(c, r -> with(r, "filters", List.of(new FilterSpec("auth",
                                new RouteAuth(RouteAuth.Mode.ANY_OF, List.of("jwt:main"), List.of()), null)))),
                        "routes[0].filters[0].auth.anyOf[0]: unknown JWT provider 'main' (auth.jwt declares none)"),
                same("127.0.0.1:9003}]}", "127.0.0.1:9003}], hashOn: {header: x}}",
                        c -> cluster(c, "orders", k -> with(k, "hashOn", new ClusterConfig.HashOn("x", null, false))),
                        "clusters.orders.hashOn: only applies to loadBalancer: ring-hash"),
                same("127.0.0.1:9003}]}", "127.0.0.1:9003}], loadBalancer: ring-hash, hashOn: {header: x, sourceIp: true}}",
                        c -> cluster(c, "orders", k -> with(with(k, "loadBalancer", ClusterConfig.LoadBalancerKind.RING_HASH),
                                "hashOn", new ClusterConfig.HashOn("x", null, true))),
                        "clusters.orders.hashOn: must set exactly one of header, cookie or sourceIp: true"),
                same("127.0.0.1:9003}]}", "127.0.0.1:9003, zone: a}], loadBalancer: zone-aware}",
                        c -> cluster(c, "orders", k -> with(with(with(k, "loadBalancer", ClusterConfig.LoadBalancerKind.ZONE_AWARE),
                                "zoneAware", new ClusterConfig.ZoneAware(70)), "endpoints",
                                List.of(with(k.endpoints().get(0), "zone", "a")))),
                        "clusters.orders.loadBalancer: zone-aware needs the top-level 'zone' of this process"),
                same("listeners: [", "observability: {tracing: {sampleRatio: 2}}\nlisteners: [",
                        c -> with(c, "observability", with(c.observability(), "tracing", with(c.observability().tracing(), "sampleRatio", 2.0))),
                        "observability.tracing.sampleRatio: must be between 0.0 and 1.0 (was 2.0)"),
                same("listeners: [", "observability: {accessLog: {fields: [status, stauts]}}\nlisteners: [",
                        c -> with(c, "observability", with(c.observability(), "accessLog",
                                with(c.observability().accessLog(), "fields", List.of("status", "stauts")))),
                        "observability.accessLog.fields: unknown field 'stauts' (did you mean 'status'?); known: "
                                + String.join(", ", ConfigLoader.ACCESS_LOG_FIELDS)),
                same("  - {name: r, cluster: users, match: {pathPrefix: /a}}\n",
                        "  - {name: r, cluster: users, match: {pathPrefix: /a}}\n  - {name: r, cluster: users, match: {pathPrefix: /b}}\n",
                        c -> with(c, "routes", List.of(c.routes().get(0), with(c.routes().get(0), "match",
                                with(c.routes().get(0).match(), "path", "/b")))),
                        "routes[1].name: duplicate route name 'r'"));
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("badFields")
    void aModelBuiltByCodeGetsTheErrorOfTheSameFieldInADocument(String document, UnaryOperator<StraitConfig> edit,
            String expected) {
        assertThat(Yaml.errors(document)).containsExactly(expected);
        StraitConfig valid = Yaml.load(VALID);
        assertThat(ConfigValidator.validate(valid, FilterCatalog.CORE)).isEmpty();
        assertThat(ConfigValidator.validate(edit.apply(valid), FilterCatalog.CORE)).containsExactly(expected);
    }

    @Test
    void whatNoDocumentCanWriteIsRefusedWithItsPathNeverAnException() {
        StraitConfig valid = Yaml.load(VALID);
        StraitConfig bad = route(listener(valid, l -> with(with(l, "requestTimeout", Duration.ofSeconds(-1)), "paths", null)),
                r -> with(with(r, "timeout", Duration.ofSeconds(-2)), "match", null));
        assertThat(ConfigValidator.validate(bad)).containsExactly(
                "listeners[0].requestTimeout: must not be negative (was -1s)",
                "listeners[0].paths: is required",
                "routes[0].match: is required",
                "routes[0].timeout: must not be negative (was -2s)");
        StraitConfig empty = new StraitConfig(null, null, null, null, null, null, null, null, null);
        assertThat(ConfigValidator.validate(empty)).contains("listeners: is required", "clusters: is required",
                "routes: is required", "admin.address: is required");
    }

    @Test
    void aFilterRecordSaysWhatIsWrongWithItThroughItsHook() {
        record Limits(int max) implements FilterConfig {
            @Override
            public List<Problem> problems() {
                return max > 0 ? List.of() : List.of(new Problem("max", "must be greater than 0 (was " + max + ")"));
            }
        }
        StraitConfig valid = Yaml.load(VALID);
        StraitConfig bad = route(valid, r -> with(r, "filters", List.of(new FilterSpec("limits", new Limits(0), null))));
        assertThat(ConfigValidator.validate(bad)).containsExactly("routes[0].filters[0].limits.max: must be greater than 0 (was 0)");
        StraitConfig good = route(valid, r -> with(r, "filters", List.of(new FilterSpec("limits", new Limits(2), null))));
        assertThat(ConfigValidator.validate(good)).isEmpty();
    }

    // ---------------------------------------------------------------- building models

    static StraitConfig listener(StraitConfig c, UnaryOperator<ListenerConfig> edit) {
        return with(c, "listeners", List.of(edit.apply(c.listeners().get(0))));
    }

    static StraitConfig cluster(StraitConfig c, String name, UnaryOperator<ClusterConfig> edit) {
        Map<String, ClusterConfig> clusters = new LinkedHashMap<>(c.clusters());
        clusters.put(name, edit.apply(clusters.get(name)));
        return with(c, "clusters", clusters);
    }

    static StraitConfig route(StraitConfig c, UnaryOperator<RouteConfig> edit) {
        List<RouteConfig> routes = new ArrayList<>(c.routes());
        routes.set(0, edit.apply(routes.get(0)));
        return with(c, "routes", routes);
    }

    /** As {@link #with}, or null when the record's constructor refuses the value (an invariant it protects). */
    static <R extends Record> R withOrNull(R r, String name, Object value) {
        try {
            return with(r, name, value);
        } catch (AssertionError e) {
            if (e.getCause() instanceof java.lang.reflect.InvocationTargetException) return null;
            throw e;
        }
    }

    /** A copy of record {@code r} with its component {@code name} set to {@code value}. */
    @SuppressWarnings("unchecked")
    static <R extends Record> R with(R r, String name, Object value) {
        try {
            RecordComponent[] components = r.getClass().getRecordComponents();
            Object[] args = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            boolean found = false;
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                found |= components[i].getName().equals(name);
                args[i] = components[i].getName().equals(name) ? value : components[i].getAccessor().invoke(r);
            }
            assertThat(found).as("%s has a component %s", r.getClass().getSimpleName(), name).isTrue();
            var ctor = r.getClass().getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return (R) ctor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
