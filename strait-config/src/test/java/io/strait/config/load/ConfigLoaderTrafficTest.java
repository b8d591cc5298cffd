package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch.ValueMatch;
import io.strait.config.model.RouteMatch.ValueMatch.Op;
import io.strait.config.model.TrafficPolicy;
import io.strait.config.model.TrafficPolicy.Fault;
import io.strait.config.model.TrafficPolicy.Mirror;
import io.strait.config.model.TrafficPolicy.Split;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Route subsets, splits, stickiness, mirroring, faults, idle timeout, timeout header and cookie matches. */
class ConfigLoaderTrafficTest {
    /** {@code users}: v1 in two zones and a v2 endpoint given by DNS name; {@code shadow}: a mirror target. */
    private static final String CLUSTERS = """
            clusters:
              users:
                endpoints:
                  - {address: 127.0.0.1:9001, labels: {version: v1, zone: a}}
                  - {address: 127.0.0.1:9002, labels: {version: v1, zone: b}}
                  - {address: users-v2.internal:9003, labels: {version: v2}}
              shadow: {endpoints: [{address: 127.0.0.1:9009}]}
            """;

    private static RouteConfig route(String settings) {
        return Yaml.load(CLUSTERS + "routes: [{cluster: users, " + settings + "}]").routes().get(0);
    }

    static Arguments error(String route, String... errors) {
        return Arguments.of(route, List.of(errors));
    }

    @Test
    void aFullSplitLandsInTheRecord() {
        RouteConfig r = Yaml.load(CLUSTERS + """
                routes:
                  - name: users
                    cluster: users
                    idleTimeout: 30s
                    timeoutHeader: true
                    split: [{subset: {version: v1}, weight: 90}, {subset: {version: v2}, weight: 10}]
                    stickyOn: {header: X-User-ID}
                    mirror: {cluster: shadow, percent: 0.5}
                    fault: {delay: {duration: 2s, percent: 10}, abort: {status: 503, percent: 5}}
                """).routes().get(0);
        assertThat(r.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(r.timeoutHeader()).isTrue();
        assertThat(r.traffic()).isEqualTo(new TrafficPolicy(Map.of(),
                List.of(new Split(Map.of("version", "v1"), 90), new Split(Map.of("version", "v2"), 10)),
                new HashOn("x-user-id", null, false), new Mirror("shadow", 0.5),
                new Fault(Duration.ofSeconds(2), 10.0, 503, 5.0)));
    }

    @Test
    void aPinnedSubsetMayNameSeveralLabels() {
        assertThat(route("subset: {version: v1, zone: b}").traffic())
                .isEqualTo(new TrafficPolicy(Map.of("version", "v1", "zone", "b"), List.of(), null, null, null));
        // a cluster given by DNS name still has its configured labels
        assertThat(route("subset: {version: v2}").traffic().subset()).isEqualTo(Map.of("version", "v2"));
    }

    @Test
    void splitsMayDrainASubsetAndStickOnACookieOrTheSourceIp() {
        TrafficPolicy t = route("split: [{subset: {version: v1}, weight: 0}, {subset: {version: v2}, weight: 10000}],"
                + " stickyOn: {cookie: uid}").traffic();
        assertThat(t.split()).containsExactly(new Split(Map.of("version", "v1"), 0), new Split(Map.of("version", "v2"), 10000));
        assertThat(t.stickyOn()).isEqualTo(new HashOn(null, "uid", false));
        assertThat(route("split: [{subset: {version: v1}, weight: 1}], stickyOn: {sourceIp: true}").traffic().stickyOn())
                .isEqualTo(new HashOn(null, null, true));
    }

    @Test
    void mirrorAndFaultTakeTheirDefaults() {
        assertThat(route("mirror: {cluster: shadow}").traffic().mirror()).isEqualTo(new Mirror("shadow", 100.0));
        assertThat(route("fault: {delay: {duration: 100ms}}").traffic().fault())
                .isEqualTo(new Fault(Duration.ofMillis(100), 100.0, 0, 0.0));
        assertThat(route("fault: {abort: {status: 500, percent: 0}}").traffic().fault()).isEqualTo(new Fault(null, 0.0, 500, 0.0));
    }

    @Test
    void withoutTheNewFieldsARouteHasTheDefaults() {
        RouteConfig r = route("timeout: 1s");
        assertThat(r.idleTimeout()).isNull();
        assertThat(r.timeoutHeader()).isEqualTo(ConfigLoader.DEFAULT_TIMEOUT_HEADER).isFalse();
        assertThat(r.traffic()).isEqualTo(TrafficPolicy.NONE);
        assertThat(r.match().cookies()).isEmpty();
        assertThat(route("idleTimeout: , timeoutHeader: ").idleTimeout()).isNull();
    }

    @Test
    void cookieConditionsHaveTheShapeOfHeaderConditionsAndKeepTheirCase() {
        RouteConfig r = route("""
                match: {cookies: [{name: AB, exact: b}, {name: tier, prefix: gold}, {name: v, regex: "[0-9]+"},
                  {name: session, present: true}, {name: opt-out, absent: true}]}
                """);
        assertThat(r.match().cookies()).containsExactly(new ValueMatch("AB", Op.EXACT, "b"), new ValueMatch("tier", Op.PREFIX, "gold"),
                new ValueMatch("v", Op.REGEX, "[0-9]+"), new ValueMatch("session", Op.PRESENT, null),
                new ValueMatch("opt-out", Op.ABSENT, null));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void reportsExactly(String route, List<String> expected) {
        String yaml = CLUSTERS + "routes: [{cluster: users, " + route + "}]";
        assertThat(Yaml.errors(yaml)).as("errors of:\n%s", yaml).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> errors() {
        String noV3 = "no endpoint of cluster 'users' has labels {version=v3}";
        return Stream.of(
                // idleTimeout, timeoutHeader
                error("idleTimeout: 0", "routes[0].idleTimeout: must be greater than 0"),
                error("idleTimeout: 5", "routes[0].idleTimeout: must be a duration such as 250ms, 1.5s, 1m30s or 2h (was '5')"),
                error("timeoutHeader: 'yes'", "routes[0].timeoutHeader: must be true or false"),
                // subset
                error("subset: {version: v3}", "routes[0].subset: " + noV3),
                error("subset: {version: v1, zone: c}", "routes[0].subset: no endpoint of cluster 'users' has labels {version=v1, zone=c}"),
                error("subset: {}", "routes[0].subset: must name at least one label, such as {version: v2}"),
                error("subset: {version: ''}", "routes[0].subset.version: must not be empty"),
                error("subset: {'': v1}", "routes[0].subset: label names must not be empty"),
                error("subset: v2", "routes[0].subset: must be an object of string values (was 'v2')"),
                // split
                error("split: [{subset: {version: v1}, weight: 90}, {subset: {version: v3}, weight: 10}]",
                        "routes[0].split[1].subset: " + noV3),
                error("split: [{subset: {version: v1}, weight: 0}, {subset: {version: v2}, weight: 0}]",
                        "routes[0].split: needs at least one weight above 0"),
                error("split: [{subset: {version: v1}, weight: 10001}, {subset: {version: v2}, weight: -1}]",
                        "routes[0].split[0].weight: must be between 0 and 10000 (was 10001)",
                        "routes[0].split[1].weight: must be between 0 and 10000 (was -1)"),
                error("split: [{subset: {version: v1}, weight: 1.5}]", "routes[0].split[0].weight: must be an integer"),
                error("split: [{subset: {version: v1}, weight: 50}, {subset: {version: v1}, weight: 50}]",
                        "routes[0].split[1].subset: is the same subset as split[0]"),
                error("split: [{subset: {version: v1}}, {weight: 5}]",
                        "routes[0].split[0].weight: is required: an integer 0-10000",
                        "routes[0].split[1].subset: is required, such as {version: v2}"),
                error("split: []", "routes[0].split: must list at least one {subset, weight}"),
                error("split: [{subset: {version: v1}, weight: 1, wieght: 2}]",
                        "routes[0].split[0].wieght: unknown field (did you mean 'weight'?)"),
                error("subset: {version: v1}, split: [{subset: {version: v2}, weight: 1}]",
                        "routes[0].split: cannot be combined with subset: give one of them"),
                // stickyOn
                error("stickyOn: {header: X-User-ID}", "routes[0].stickyOn: only applies with split"),
                error("split: [{subset: {version: v1}, weight: 1}], stickyOn: {header: 'a b', cookie: 'c;'}",
                        "routes[0].stickyOn: must set exactly one of header, cookie or sourceIp: true",
                        "routes[0].stickyOn.header: is not a valid header name",
                        "routes[0].stickyOn.cookie: is not a valid cookie name"),
                error("split: [{subset: {version: v1}, weight: 1}], stickyOn: {}",
                        "routes[0].stickyOn: must set exactly one of header, cookie or sourceIp: true"),
                // mirror
                error("mirror: {cluster: users}", "routes[0].mirror.cluster: must differ from the route's cluster 'users'"),
                error("mirror: {cluster: shadw}", "routes[0].mirror.cluster: unknown cluster 'shadw' (did you mean 'shadow'?)"),
                error("mirror: {percent: 0}", "routes[0].mirror.cluster: is required",
                        "routes[0].mirror.percent: must be greater than 0 and at most 100"),
                error("mirror: {cluster: shadow, percent: 150}", "routes[0].mirror.percent: must be between 0.0 and 100.0 (was 150.0)"),
                error("mirror: {cluster: shadow, percent: '10%'}", "routes[0].mirror.percent: must be a number"),
                // fault
                error("fault: {}", "routes[0].fault: must set delay, abort or both"),
                error("fault: {delay: {percent: 10}, abort: {percent: 101}}",
                        "routes[0].fault.delay.duration: is required, such as 2s",
                        "routes[0].fault.abort.status: is required: an HTTP status 200-599",
                        "routes[0].fault.abort.percent: must be between 0.0 and 100.0 (was 101.0)"),
                error("fault: {delay: {duration: 0, percent: -1}, abort: {status: 199}}",
                        "routes[0].fault.delay.duration: must be greater than 0",
                        "routes[0].fault.delay.percent: must be between 0.0 and 100.0 (was -1.0)",
                        "routes[0].fault.abort.status: must be between 200 and 599 (was 199)"),
                error("fault: {abort: {status: 600}}", "routes[0].fault.abort.status: must be between 200 and 599 (was 600)"),
                error("fault: {abort: {status: 503, precent: 1}}",
                        "routes[0].fault.abort.precent: unknown field (did you mean 'percent'?)"),
                // match.cookies
                error("match: {cookies: [{name: 'a b', exact: x}]}", "routes[0].match.cookies[0].name: is not a valid cookie name"),
                error("match: {cookies: [{name: a, exact: x, prefix: y}]}",
                        "routes[0].match.cookies[0]: must set exactly one of exact, prefix, regex, present or absent"),
                error("match: {cookies: [{exact: x}]}", "routes[0].match.cookies[0].name: is required"),
                error("match: {cookies: [{name: a, regex: '('}]}",
                        "routes[0].match.cookies[0].regex: invalid regular expression: Unclosed group near index 1"),
                error("match: {cookies: [{name: a, absent: false}]}", "routes[0].match.cookies[0].absent: only 'true' is meaningful"),
                error("match: {cookie: [{name: a, present: true}]}",
                        "routes[0].match.cookie: unknown field (did you mean 'cookies'?)"));
    }

    @Test
    void aSubsetIsCheckedAgainstTheRoutesOwnClusterAndNotAgainstABrokenOne() {
        Yaml.assertErrors(CLUSTERS + """
                  broken: {endpoints: [{address: 127.0.0.1:0, labels: {version: v9}}]}
                routes:
                  - {cluster: shadow, subset: {version: v1}}
                  - {cluster: broken, subset: {version: v9}}
                  - {cluster: nowhere, split: [{subset: {version: v1}, weight: 1}]}
                """,
                "clusters.broken.endpoints[0].address: port must be 1-65535",
                "routes[0].subset: no endpoint of cluster 'shadow' has labels {version=v1}",
                "routes[2].cluster: unknown cluster 'nowhere'");
    }

    @Test
    void errorsNameTheRoutesPosition() {
        Yaml.assertErrors(CLUSTERS + """
                routes:
                  - {cluster: users}
                  - {cluster: users, split: [{subset: {version: v1}, weight: 1}, {subset: {version: v3}, weight: 1}]}
                """, "routes[1].split[1].subset: no endpoint of cluster 'users' has labels {version=v3}");
    }
}
