package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Findings that do not refuse a configuration: each certain, none for what is usual. */
class ConfigWarningsTest {
    static final String C = "clusters: {c: {endpoints: [{address: 127.0.0.1:9001}]}, spare: {endpoints: [{address: 127.0.0.1:9002}]}}\n";

    @Test
    void aUsualConfigurationHasNone() {
        assertThat(ConfigWarnings.of(Yaml.load(C + """
                routes:
                  - {name: all, cluster: c, match: {pathPrefix: /}}
                  - {name: api, cluster: c, match: {pathPrefix: /api}}
                  - {name: get-x, cluster: c, match: {path: /x, methods: [GET]}}
                  - {name: x, cluster: c, match: {path: /x}}
                  - {name: other-host, cluster: c, match: {path: /x, hosts: [a.example.com]}}
                """))).as("a longer prefix wins over /, a route with a method condition hides nothing, a cluster kept"
                + " for a switch is no mistake").isEmpty();
    }

    @Test
    void aRouteAfterOneWithTheSameHostsAndPathAndNoConditionNeverMatches() {
        assertThat(ConfigWarnings.of(Yaml.load(C + """
                routes:
                  - {name: first, cluster: c, match: {pathPrefix: /api, hosts: [a.example.com, b.example.com]}}
                  - {name: second, cluster: c, match: {pathPrefix: /api, hosts: [B.example.com, a.example.com], methods: [GET]}}
                  - {name: exact, cluster: c, match: {path: /x}}
                  - {name: exact-again, cluster: c, match: {path: /x}}
                """))).containsExactly(
                "routes[1]: never matches: routes[0] ('first') comes first with the same hosts and path and no other"
                        + " condition, so it takes every request this route would",
                "routes[3]: never matches: routes[2] ('exact') comes first with the same hosts and path and no other"
                        + " condition, so it takes every request this route would");
    }

    @Test
    void aRouteHiddenOnOneListenerButServedAloneOnAnotherMatchesThere() {
        String routes = """
                routes:
                  - {name: first, cluster: c, match: {pathPrefix: /}}
                  - {name: second, cluster: c, match: {pathPrefix: /}}
                """;
        assertThat(ConfigWarnings.of(Yaml.load(C + routes + """
                listeners:
                  - {name: both, address: 127.0.0.1:1}
                  - {name: only-second, address: 127.0.0.1:2, routes: [second]}
                """))).isEmpty();
        assertThat(ConfigWarnings.of(Yaml.load(C + routes + """
                listeners:
                  - {name: one, address: 127.0.0.1:1, routes: [first]}
                """))).containsExactly("routes[1]: no listener serves route 'second' (each names its routes, none names this one)");
    }

    @Test
    void credentialsOverPlainHttpOffLoopbackAreAWarning() {
        String doc = C + """
                auth: {apiKeys: {}}
                routes:
                  - {name: open, cluster: c, match: {pathPrefix: /open}}
                  - {name: keyed, cluster: c, match: {pathPrefix: /k}, auth: {anyOf: [apiKey]}}
                listeners:
                  - {name: local, address: 127.0.0.1:1}
                  - {name: public, address: 0.0.0.0:2}
                  - {name: open-only, address: 0.0.0.0:3, routes: [open]}
                """;
        assertThat(ConfigWarnings.of(Yaml.load(doc))).containsExactly(
                "listeners[1]: serves route 'keyed', which takes credentials, over plain HTTP on 0.0.0.0:2: tokens and API"
                        + " keys cross the network in clear text (add tls, or terminate TLS in front)");
    }
}
