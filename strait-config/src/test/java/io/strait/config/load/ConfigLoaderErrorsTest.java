package io.strait.config.load;

import static io.strait.config.load.Yaml.assertErrors;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every mistake gives one error line, naming its path, with the exact wording users see. */
class ConfigLoaderErrorsTest {
    /** One valid cluster {@code c} for routes to use. */
    static final String C = "clusters: {c: {endpoints: [{address: 127.0.0.1:9001}]}}\n";
    static final String KNOWN_METHODS = "GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH";

    static Arguments error(String yaml, String... errors) {
        return Arguments.of(yaml, List.of(errors));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource({"unknownFields", "wrongTypes", "durationsAndSizes", "addresses", "names", "clusterReferences",
            "ports", "paths", "regexes", "templates", "rewrites", "hosts", "methods", "valueMatchers", "loadBalancing",
            "clusterSettings", "observability", "notYetAvailable", "topLevel"})
    void reportsExactly(String yaml, List<String> expected) {
        assertThat(Yaml.errors(yaml)).as("errors of:\n%s", yaml).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> unknownFields() {
        return Stream.of(
                error("listners: []", "listners: unknown field (did you mean 'listeners'?)"),
                error("colour: red", "colour: unknown field"),
                error("admin: {adress: 127.0.0.1:1}", "admin.adress: unknown field (did you mean 'address'?)"),
                error("listeners: [{address: 127.0.0.1:80, maxHeaderSise: 1}]",
                        "listeners[0].maxHeaderSise: unknown field (did you mean 'maxHeaderSize'?)"),
                error("listeners: [{address: 127.0.0.1:80, paths: {mergeSlash: true}}]",
                        "listeners[0].paths.mergeSlash: unknown field (did you mean 'mergeSlashes'?)"),
                error("clusters: {c: {endpoint: [{address: 127.0.0.1:1}]}}",
                        "clusters.c.endpoints: is required: list at least one {address: host:port}",
                        "clusters.c.endpoint: unknown field (did you mean 'endpoints'?)"),
                error("clusters: {c: {endpoints: [{address: 127.0.0.1:1, wieght: 2}]}}",
                        "clusters.c.endpoints[0].wieght: unknown field (did you mean 'weight'?)"),
                error("clusters: {c: {endpoints: [{address: 127.0.0.1:1}], loadBalancer: ring-hash, hashOn: {heder: x}}}",
                        "clusters.c.hashOn: must set exactly one of header, cookie or sourceIp: true",
                        "clusters.c.hashOn.heder: unknown field (did you mean 'header'?)"),
                error("zone: a\nclusters: {c: {endpoints: [{address: 127.0.0.1:1, zone: a}], loadBalancer: zone-aware, zoneAware: {minHealthy: 5}}}",
                        "clusters.c.zoneAware.minHealthy: unknown field"),
                error("clusters: {c: {endpoints: [{address: 127.0.0.1:1}], pool: {maxConnection: 5}}}",
                        "clusters.c.pool.maxConnection: unknown field (did you mean 'maxConnections'?)"),
                error("clusters: {c: {endpoints: [{address: 127.0.0.1:1}], healthCheck: {path: /h, intervall: 1s}}}",
                        "clusters.c.healthCheck.intervall: unknown field (did you mean 'interval'?)"),
                error(C + "routes: [{cluster: c, timout: 1s}]", "routes[0].timout: unknown field (did you mean 'timeout'?)"),
                error(C + "routes: [{cluster: c, match: {pathprefix: /a}}]",
                        "routes[0].match.pathprefix: unknown field (did you mean 'pathPrefix'?)"),
                error(C + "routes: [{cluster: c, match: {headers: [{name: a, exatc: b}]}}]",
                        "routes[0].match.headers[0]: must set exactly one of exact, prefix, regex, present or absent",
                        "routes[0].match.headers[0].exatc: unknown field (did you mean 'exact'?)"),
                error(C + "routes: [{cluster: c, match: {query: [{name: a, exact: b, regx: c}]}}]",
                        "routes[0].match.query[0].regx: unknown field (did you mean 'regex'?)"),
                error(C + "routes: [{cluster: c, rewrite: {prefx: /a}}]",
                        "routes[0].rewrite.prefx: unknown field (did you mean 'prefix'?)"),
                error("observability: {acessLog: {}}", "observability.acessLog: unknown field (did you mean 'accessLog'?)"),
                error("observability: {accessLog: {enable: false}}",
                        "observability.accessLog.enable: unknown field (did you mean 'enabled'?)"),
                error("observability: {tracing: {sampleRate: 0.5}}",
                        "observability.tracing.sampleRate: unknown field (did you mean 'sampleRatio'?)"),
                error("drainTimeout: 1s\ntypo:", "typo: unknown field"),
                // control characters from the file are shown escaped: one error stays one line
                error("\"a\\nb\": 1", "a\\nb: unknown field"),
                error("\"a\\u0085b\\u2028\": 1", "a\\u0085b\\u2028: unknown field"));
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                error("admin: [a]", "admin: must be an object (was a list)"),
                error("admin: 127.0.0.1:9901", "admin: must be an object (was '127.0.0.1:9901')"),
                error("admin: {address: [a]}", "admin.address: must be a string"),
                error("listeners: {a: 1}", "listeners: must be a list (was an object)"),
                error("listeners: [a]", "listeners[0]: must be an object (was 'a')"),
                error("listeners: [[a]]", "listeners[0]: must be an object (was a list)"),
                error("clusters: [a]", "clusters: must be an object keyed by name (was a list)"),
                error("clusters: {c: [a]}", "clusters.c: must be an object (was a list)"),
                error("clusters: {c: 127.0.0.1:1}", "clusters.c: must be an object (was '127.0.0.1:1')"),
                error("routes: {a: b}", "routes: must be a list (was an object)"),
                error(C + "routes: [{cluster: c, match: [a]}]", "routes[0].match: must be an object (was a list)"),
                error(C + "routes: [{cluster: c, match: /api}]", "routes[0].match: must be an object (was '/api')"),
                error(C + "routes: [{cluster: [c]}]", "routes[0].cluster: must be a string"),
                error("listeners: [{address: 127.0.0.1:80, maxHeaderCount: '5'}]", "listeners[0].maxHeaderCount: must be an integer"),
                error("listeners: [{address: 127.0.0.1:80, maxHeaderCount: 1.5}]", "listeners[0].maxHeaderCount: must be an integer"),
                error("listeners: [{address: 127.0.0.1:80, maxHeaderCount: 99999999999}]", "listeners[0].maxHeaderCount: must be an integer"),
                error("listeners: [{address: 127.0.0.1:80, maxHeaderCount: 0}]",
                        "listeners[0].maxHeaderCount: must be between 1 and 10000 (was 0)"),
                error("listeners: [{address: 127.0.0.1:80, xffTrustedHops: 11}]",
                        "listeners[0].xffTrustedHops: must be between 0 and 10 (was 11)"),
                error("listeners: [{address: 127.0.0.1:80, paths: {mergeSlashes: 'true'}}]",
                        "listeners[0].paths.mergeSlashes: must be true or false"),
                error("listeners: [{address: 127.0.0.1:80, paths: {encodedSlashes: allow}}]",
                        "listeners[0].paths.encodedSlashes: unknown value 'allow'; expected one of reject, keep, decode"),
                error("listeners: [{address: 127.0.0.1:80, paths: [a]}]", "listeners[0].paths: must be an object (was a list)"),
                error("listeners: [{address: 127.0.0.1:80, protocols: [http3]}]",
                        "listeners[0].protocols: unknown protocol 'http3'; expected one of http1, h2c"),
                error("listeners: [{address: 127.0.0.1:80, protocols: []}]", "listeners[0].protocols: must name at least one protocol"),
                error("listeners: [{address: 127.0.0.1:80, protocols: http1}]",
                        "listeners[0].protocols: must be a list of strings (was 'http1')"),
                error("listeners: [{address: 127.0.0.1:80, protocols: [[http1]]}]", "listeners[0].protocols[0]: must be a string"),
                error("zone: [a]", "zone: must be a string"),
                error("zone: ''", "zone: must not be empty"),
                error("observability: {tracing: {sampleRatio: high}}", "observability.tracing.sampleRatio: must be a number"),
                error("observability: {tracing: {sampleRatio: 2}}",
                        "observability.tracing.sampleRatio: must be between 0.0 and 1.0 (was 2.0)"),
                error("observability: {accessLog: {enabled: 1}}", "observability.accessLog.enabled: must be true or false"),
                error("observability: [a]", "observability: must be an object (was a list)"));
    }

    static Stream<Arguments> durationsAndSizes() {
        String d = "must be a duration such as 250ms, 1.5s, 1m30s or 2h";
        String s = "must be a size such as 8192, 16KiB or 10MiB";
        String l = "listeners: [{address: 127.0.0.1:80, ";
        return Stream.of(
                error("drainTimeout: 5", "drainTimeout: " + d + " (was '5')"),
                error("drainTimeout: 1.s", "drainTimeout: " + d + " (was '1.s')"),
                error("drainTimeout: .5s", "drainTimeout: " + d + " (was '.5s')"),
                error("drainTimeout: 1m30", "drainTimeout: " + d + " (was '1m30')"),
                error("drainTimeout: 2S", "drainTimeout: " + d + " (was '2S')"),
                error("drainTimeout: -1s", "drainTimeout: " + d + " (was '-1s')"),
                error("drainTimeout: 1m 30s", "drainTimeout: " + d + " (was '1m 30s')"),
                error("drainTimeout: 2 s", "drainTimeout: " + d + " (was '2 s')"),
                error("drainTimeout: forever", "drainTimeout: " + d + " (was 'forever')"),
                error("drainTimeout: \"1\\ts\"", "drainTimeout: " + d + " (was '1\\ts')"),
                error("drainTimeout: [1s]", "drainTimeout: " + d + " (was a list)"),
                error("drainTimeout: {s: 1}", "drainTimeout: " + d + " (was an object)"),
                error("drainTimeout: 99999999999999999999s", "drainTimeout: is too large (was '99999999999999999999s')"),
                error("drainTimeout: 9223372036854775807d", "drainTimeout: is too large (was '9223372036854775807d')"),
                error("drainTimeout: 9223372036854775807us", "drainTimeout: is too large (was '9223372036854775807us')"),
                error(l + "idleTimeout: 0}]", "listeners[0].idleTimeout: must be greater than 0"),
                error(l + "idleTimeout: 0ms}]", "listeners[0].idleTimeout: must be greater than 0"),
                error(l + "requestHeadersTimeout: soon}]", "listeners[0].requestHeadersTimeout: " + d + " (was 'soon')"),
                error(l + "requestTimeout: 1x}]", "listeners[0].requestTimeout: " + d + " (was '1x')"),
                error(l + "maxRequestBodySize: 10M}]", "listeners[0].maxRequestBodySize: " + s + " (was '10M')"),
                error(l + "maxRequestBodySize: 10 mb}]", "listeners[0].maxRequestBodySize: " + s + " (was '10 mb')"),
                error(l + "maxRequestBodySize: -1}]", "listeners[0].maxRequestBodySize: " + s + " (was '-1')"),
                error(l + "maxRequestBodySize: 1.5MiB}]", "listeners[0].maxRequestBodySize: " + s + " (was '1.5MiB')"),
                error(l + "maxRequestBodySize: [1]}]", "listeners[0].maxRequestBodySize: " + s + " (was a list)"),
                error(l + "maxRequestBodySize: 99999999999GiB}]", "listeners[0].maxRequestBodySize: is too large (was '99999999999GiB')"),
                error(l + "maxRequestBodySize: 99999999999999999999}]",
                        "listeners[0].maxRequestBodySize: is too large (was '99999999999999999999')"),
                error(l + "maxHeaderSize: 512}]", "listeners[0].maxHeaderSize: must be at least 1KiB"),
                error(l + "maxRequestLineLength: 100}]", "listeners[0].maxRequestLineLength: must be at least 256 bytes"),
                error(C + "routes: [{cluster: c, timeout: 5}]", "routes[0].timeout: " + d + " (was '5')"),
                error(C + "routes: [{cluster: c, maxRequestBodySize: lots}]", "routes[0].maxRequestBodySize: " + s + " (was 'lots')"),
                error("clusters: {c: {endpoints: [{address: 127.0.0.1:1}], dnsRefresh: 0}}",
                        "clusters.c.dnsRefresh: must be greater than 0"),
                error("clusters: {c: {endpoints: [{address: 127.0.0.1:1}], pool: {connectTimeout: 0s, idleTimeout: 1}}}",
                        "clusters.c.pool.idleTimeout: " + d + " (was '1')",
                        "clusters.c.pool.connectTimeout: must be greater than 0"));
    }

    static Stream<Arguments> addresses() {
        String rule = "must be host:port, such as 127.0.0.1:8080 or [::1]:8080";
        return Stream.of(
                error("admin: {address: 127.0.0.1}", "admin.address: " + rule + " (was '127.0.0.1')"),
                error("admin: {address: ':9901'}", "admin.address: " + rule + " (was ':9901')"),
                error("admin: {address: 'localhost:'}", "admin.address: " + rule + " (was 'localhost:')"),
                error("admin: {address: 'localhost:http'}", "admin.address: " + rule + " (was 'localhost:http')"),
                error("admin: {address: 'localhost:65536'}", "admin.address: " + rule + " (was 'localhost:65536')"),
                error("admin: {address: 'localhost:-1'}", "admin.address: " + rule + " (was 'localhost:-1')"),
                error("admin: {address: 'localhost:+80'}", "admin.address: " + rule + " (was 'localhost:+80')"),
                error("admin: {address: '::1:80'}", "admin.address: " + rule + " (was '::1:80')"),
                error("admin: {address: '[zz]:80'}", "admin.address: " + rule + " (was '[zz]:80')"),
                error("admin: {address: 'http://x:80'}", "admin.address: " + rule + " (was 'http://x:80')"),
                error("admin: {address: 'a b:80'}", "admin.address: " + rule + " (was 'a b:80')"),
                error("admin: {address: 9901}", "admin.address: " + rule + " (was '9901')"),
                error("listeners: [{name: a}]", "listeners[0].address: is required"),
                error("listeners: [{address: 8080}]", "listeners[0].address: " + rule + " (was '8080')"),
                error("clusters: {c: {endpoints: [{address: 'users:0'}]}}", "clusters.c.endpoints[0].address: port must be 1-65535"),
                error("clusters: {c: {endpoints: [{zone: a}]}}", "clusters.c.endpoints[0].address: is required"),
                error("clusters: {c: {endpoints: [{address: 'http://users:80'}]}}",
                        "clusters.c.endpoints[0].address: " + rule + " (was 'http://users:80')"));
    }

    static Stream<Arguments> names() {
        String rule = "names use letters, digits, '.', '_' and '-', start with a letter or digit, and have at most 63 characters";
        return Stream.of(
                error("listeners: [{name: a, address: 127.0.0.1:1}, {name: a, address: 127.0.0.1:2}]",
                        "listeners[1].name: duplicate listener name 'a'"),
                error(C + "routes: [{name: r, cluster: c}, {name: s, cluster: c}, {name: r, cluster: c}]",
                        "routes[2].name: duplicate route name 'r'"),
                error(C + "routes: [{cluster: c}, {name: route-0, cluster: c}]", "routes[1].name: duplicate route name 'route-0'"),
                error(C + "routes: [{name: my route, cluster: c}]", "routes[0].name: " + rule + " (was 'my route')"),
                error(C + "routes: [{name: '', cluster: c}]", "routes[0].name: " + rule + " (was '')"),
                error(C + "routes: [{name: -r, cluster: c}]", "routes[0].name: " + rule + " (was '-r')"),
                error(C + "routes: [{name: " + "r".repeat(64) + ", cluster: c}]", "routes[0].name: " + rule + " (was '" + "r".repeat(64) + "')"),
                error("listeners: [{name: pub/lic, address: 127.0.0.1:1}]", "listeners[0].name: " + rule + " (was 'pub/lic')"),
                error("clusters: {'bad name': {endpoints: [{address: 127.0.0.1:1}]}}", "clusters.bad name: " + rule));
    }

    static Stream<Arguments> clusterReferences() {
        return Stream.of(
                error("clusters: {users: {endpoints: [{address: 127.0.0.1:1}]}}\nroutes: [{cluster: userz}]",
                        "routes[0].cluster: unknown cluster 'userz' (did you mean 'users'?)"),
                error("clusters: {users: {endpoints: [{address: 127.0.0.1:1}]}}\nroutes: [{cluster: payments}]",
                        "routes[0].cluster: unknown cluster 'payments'"),
                error("routes: [{cluster: users}, {cluster: orders, match: {pathPrefix: /orders}}]",
                        "routes[0].cluster: unknown cluster 'users' (the file defines no clusters)",
                        "routes[1].cluster: unknown cluster 'orders' (the file defines no clusters)"),
                error("clusters: {}\nroutes: [{cluster: users}]", "routes[0].cluster: unknown cluster 'users' (the file defines no clusters)"),
                error(C + "routes: [{match: {pathPrefix: /a}}]", "routes[0].cluster: is required"),
                error(C + "routes: [{cluster: ''}]", "routes[0].cluster: must not be empty"),
                error(C + "routes: [{cluster: }]", "routes[0].cluster: is required"),
                // a route naming a broken cluster gets no second error: the cluster's own error says it all
                error("clusters: {users: {endpoints: []}}\nroutes: [{cluster: users}]",
                        "clusters.users.endpoints: must list at least one endpoint"),
                error("clusters: {users: [a]}\nroutes: [{cluster: users}]", "clusters.users: must be an object (was a list)"),
                error("clusters: [users]\nroutes: [{cluster: users}]",
                        "clusters: must be an object keyed by name (was a list)",
                        "routes[0].cluster: unknown cluster 'users' (the file defines no clusters)"));
    }

    static Stream<Arguments> ports() {
        return Stream.of(
                error("listeners: [{address: 127.0.0.1:9901}]",
                        "listeners[0].address: 127.0.0.1:9901 is already used by admin.address (127.0.0.1:9901)"),
                error("admin: {address: 0.0.0.0:8080}\nlisteners: [{address: 127.0.0.1:8080}]",
                        "listeners[0].address: 127.0.0.1:8080 is already used by admin.address (0.0.0.0:8080)"),
                error("listeners: [{name: a, address: 127.0.0.1:8080}, {name: b, address: 127.0.0.1:8080}]",
                        "listeners[1].address: 127.0.0.1:8080 is already used by listeners[0].address (127.0.0.1:8080)"),
                error("listeners: [{name: a, address: '0.0.0.0:8080'}, {name: b, address: 127.0.0.1:8080}]",
                        "listeners[1].address: 127.0.0.1:8080 is already used by listeners[0].address (0.0.0.0:8080)"),
                error("listeners: [{name: a, address: '[::1]:8080'}, {name: b, address: '[::]:8080'}]",
                        "listeners[1].address: [::]:8080 is already used by listeners[0].address ([::1]:8080)"),
                error("listeners: [{name: a, address: 'LOCALHOST:8080'}, {name: b, address: 'localhost:8080'}]",
                        "listeners[1].address: localhost:8080 is already used by listeners[0].address (LOCALHOST:8080)"));
    }

    @Test
    void portsOnDifferentHostsOrPortZeroDoNotClash() {
        var c = Yaml.load("""
                admin: {address: 127.0.0.1:9000}
                listeners:
                  - {name: a, address: 127.0.0.1:8080}
                  - {name: b, address: 127.0.0.2:8080}
                  - {name: c, address: 127.0.0.1:9901}
                  - {name: d, address: 127.0.0.1:0}
                  - {name: e, address: 0.0.0.0:0}
                """);
        assertThat(c.listeners()).hasSize(5);
    }

    static Stream<Arguments> paths() {
        String r = C + "routes: [{cluster: c, match: ";
        String ascii = "must hold only visible ASCII characters and no '\\'; percent-encode others (%20, %C3%A9)";
        String percent = "has a malformed percent-encoding ('%' needs two hex digits; %00 is never allowed)";
        return Stream.of(
                error(r + "{path: /a, pathPrefix: /b}}]",
                        "routes[0].match: give only one of path, pathPrefix, pathTemplate or pathRegex (found path, pathPrefix)"),
                error(r + "{pathPrefix: /a, pathTemplate: /b, pathRegex: c}}]",
                        "routes[0].match: give only one of path, pathPrefix, pathTemplate or pathRegex (found pathPrefix, pathTemplate, pathRegex)"),
                error(r + "{path: api}}]", "routes[0].match.path: must start with '/'"),
                error(r + "{pathPrefix: ''}}]", "routes[0].match.pathPrefix: must start with '/'"),
                error(r + "{path: '/search?q=1'}}]", "routes[0].match.path: must be a path only, without a query (?) or fragment (#)"),
                error(r + "{pathPrefix: '/a#b'}}]", "routes[0].match.pathPrefix: must be a path only, without a query (?) or fragment (#)"),
                error(r + "{pathPrefix: '/a b'}}]", "routes[0].match.pathPrefix: " + ascii),
                error(r + "{pathPrefix: '/caf\u00e9'}}]", "routes[0].match.pathPrefix: " + ascii),
                error(r + "{pathPrefix: '/a\\\\b'}}]", "routes[0].match.pathPrefix: " + ascii),
                error(r + "{path: '/a%zz'}}]", "routes[0].match.path: " + percent),
                error(r + "{path: '/a%2'}}]", "routes[0].match.path: " + percent),
                error(r + "{path: '/a%00b'}}]", "routes[0].match.path: " + percent),
                error(r + "{path: '/a/%2e%2E/b'}}]",
                        "routes[0].match.path: must not contain '.' or '..' segments (requests are matched after removing them)"),
                error(r + "{path: /a/../b}}]",
                        "routes[0].match.path: must not contain '.' or '..' segments (requests are matched after removing them)"),
                error(r + "{pathPrefix: /a/.}}]",
                        "routes[0].match.pathPrefix: must not contain '.' or '..' segments (requests are matched after removing them)"),
                error(r + "{path: [/a]}}]", "routes[0].match.path: must be a string"));
    }

    static Stream<Arguments> regexes() {
        String r = C + "routes: [{cluster: c, match: ";
        return Stream.of(
                error(r + "{pathRegex: '/a/('}}]", "routes[0].match.pathRegex: invalid regular expression: Unclosed group near index 4"),
                error(r + "{pathRegex: '*a'}}]",
                        "routes[0].match.pathRegex: invalid regular expression: Dangling meta character '*' near index 0"),
                error(r + "{pathRegex: '/[a-'}}]",
                        "routes[0].match.pathRegex: invalid regular expression: Illegal character range near index 4"),
                error(r + "{headers: [{name: a, regex: '('}]}}]",
                        "routes[0].match.headers[0].regex: invalid regular expression: Unclosed group near index 1"),
                error(r + "{query: [{name: a, regex: '+'}]}}]",
                        "routes[0].match.query[0].regex: invalid regular expression: Dangling meta character '+' near index 0"));
    }

    static Stream<Arguments> templates() {
        String r = C + "routes: [{cluster: c, match: {pathTemplate: ";
        String seg = "must be a literal, {name} or a final {**}";
        return Stream.of(
                error(r + "'/users/{id'}}]", "routes[0].match.pathTemplate: segment '{id' " + seg),
                error(r + "'/users/id}'}}]", "routes[0].match.pathTemplate: segment 'id}' " + seg),
                error(r + "'/users/x{id}'}}]", "routes[0].match.pathTemplate: segment 'x{id}' " + seg),
                error(r + "'/users/{1d}'}}]", "routes[0].match.pathTemplate: segment '{1d}' " + seg),
                error(r + "'/users/{}'}}]", "routes[0].match.pathTemplate: segment '{}' " + seg),
                error(r + "'/users/{*}'}}]", "routes[0].match.pathTemplate: segment '{*}' " + seg),
                error(r + "'/a/{**}/b'}}]", "routes[0].match.pathTemplate: {**} must be the last segment"),
                error(r + "'/a/{id}/b/{id}'}}]", "routes[0].match.pathTemplate: parameter 'id' appears twice"),
                error(r + "'users/{id}'}}]", "routes[0].match.pathTemplate: must start with '/'"),
                error(r + "''}}]", "routes[0].match.pathTemplate: must start with '/'"),
                error(r + "'/a/{x}/../b'}}]",
                        "routes[0].match.pathTemplate: must not contain '.' or '..' segments (requests are matched after removing them)"));
    }

    static Stream<Arguments> rewrites() {
        String r = C + "routes: [{cluster: c, ";
        return Stream.of(
                error(r + "match: {pathRegex: '^/a'}, rewrite: {prefix: /b}}]", "routes[0].rewrite.prefix: needs match.path or match.pathPrefix"),
                error(r + "match: {pathTemplate: '/a/{id}'}, rewrite: {prefix: /b}}]",
                        "routes[0].rewrite.prefix: needs match.path or match.pathPrefix"),
                error(r + "rewrite: {prefix: b}}]", "routes[0].rewrite.prefix: must start with '/'"),
                error(r + "rewrite: {prefix: '/a b'}}]",
                        "routes[0].rewrite.prefix: must hold only visible ASCII characters and no '\\'; percent-encode others (%20, %C3%A9)"),
                error(r + "rewrite: {host: 'a b'}}]", "routes[0].rewrite.host: must be a host name without spaces or control characters"),
                error(r + "rewrite: {host: ''}}]", "routes[0].rewrite.host: must be a host name without spaces or control characters"),
                error(r + "rewrite: /b}]", "routes[0].rewrite: must be an object (was '/b')"));
    }

    static Stream<Arguments> hosts() {
        String r = C + "routes: [{cluster: c, match: {hosts: ";
        String rule = " must be a host name (api.example.com) or a wildcard (*.example.com), without a port";
        return Stream.of(
                error(r + "['*']}}]", "routes[0].match.hosts: '*'" + rule),
                error(r + "['*.']}}]", "routes[0].match.hosts: '*.'" + rule),
                error(r + "['*example.com']}}]", "routes[0].match.hosts: '*example.com'" + rule),
                error(r + "['a.*.com']}}]", "routes[0].match.hosts: 'a.*.com'" + rule),
                error(r + "['example.com:8080']}}]", "routes[0].match.hosts: 'example.com:8080'" + rule),
                error(r + "['a..b']}}]", "routes[0].match.hosts: 'a..b'" + rule),
                error(r + "['']}}]", "routes[0].match.hosts: ''" + rule),
                error(r + "['foo bar', 'ok.example', 'https://x']}}]",
                        "routes[0].match.hosts: 'foo bar'" + rule, "routes[0].match.hosts: 'https://x'" + rule),
                error(r + "example.com}}]", "routes[0].match.hosts: must be a list of strings (was 'example.com')"));
    }

    @Test
    void validHostsAreLowerCased() {
        var m = Yaml.load(C + "routes: [{cluster: c, match: {hosts: [Example.COM, '*.Example.org', localhost, 10.0.0.1, '[::1]', my_host]}}]")
                .routes().get(0).match();
        assertThat(m.hosts()).containsExactly("example.com", "*.example.org", "localhost", "10.0.0.1", "[::1]", "my_host");
    }

    static Stream<Arguments> methods() {
        String r = C + "routes: [{cluster: c, match: {methods: ";
        return Stream.of(
                error(r + "[get]}}]", "routes[0].match.methods: unknown method 'get'; methods are upper-case: GET"),
                error(r + "[FETCH]}}]", "routes[0].match.methods: unknown method 'FETCH'; expected one of " + KNOWN_METHODS),
                error(r + "[GET, Post, BREW]}}]", "routes[0].match.methods: unknown method 'Post'; methods are upper-case: POST",
                        "routes[0].match.methods: unknown method 'BREW'; expected one of " + KNOWN_METHODS),
                error(r + "GET}}]", "routes[0].match.methods: must be a list of strings (was 'GET')"),
                error(r + "[[GET]]}}]", "routes[0].match.methods[0]: must be a string"));
    }

    @Test
    void everyStandardMethodIsAccepted() {
        var m = Yaml.load(C + "routes: [{cluster: c, match: {methods: [" + KNOWN_METHODS + "]}}]").routes().get(0).match();
        assertThat(m.methods()).containsExactlyInAnyOrder(KNOWN_METHODS.split(", "));
    }

    static Stream<Arguments> valueMatchers() {
        String r = C + "routes: [{cluster: c, match: ";
        String one = "must set exactly one of exact, prefix, regex, present or absent";
        return Stream.of(
                error(r + "{headers: [{name: a}]}}]", "routes[0].match.headers[0]: " + one),
                error(r + "{headers: [{name: a, exact: b, prefix: c}]}}]", "routes[0].match.headers[0]: " + one),
                error(r + "{headers: [{name: a, present: true, absent: true}]}}]", "routes[0].match.headers[0]: " + one),
                error(r + "{headers: [{exact: b}]}}]", "routes[0].match.headers[0].name: is required"),
                error(r + "{headers: [{name: 'X Bad', exact: b}]}}]", "routes[0].match.headers[0].name: is not a valid header name"),
                error(r + "{headers: [{name: ':authority', exact: b}]}}]", "routes[0].match.headers[0].name: is not a valid header name"),
                error(r + "{headers: [{name: a, present: false}]}}]", "routes[0].match.headers[0].present: only 'true' is meaningful"),
                error(r + "{headers: [{name: a, absent: false}]}}]", "routes[0].match.headers[0].absent: only 'true' is meaningful"),
                error(r + "{headers: [{name: a, present: 'yes'}]}}]", "routes[0].match.headers[0].present: must be true or false"),
                error(r + "{headers: [{name: a, exact: [b]}]}}]", "routes[0].match.headers[0].exact: must be a string"),
                error(r + "{headers: {name: a, exact: b}}}]", "routes[0].match.headers: must be a list (was an object)"),
                error(r + "{query: [x]}}]", "routes[0].match.query[0]: must be an object (was 'x')"),
                error(r + "{query: [{name: '', exact: b}]}}]", "routes[0].match.query[0].name: must not be empty"),
                error(r + "{query: [{name: q}]}}]", "routes[0].match.query[0]: " + one),
                error(r + "{headers: [{name: a, exact: b}, {name: c}], query: [{name: d, prefix: e}, {prefix: f}]}}]",
                        "routes[0].match.headers[1]: " + one, "routes[0].match.query[1].name: is required"));
    }

    static Stream<Arguments> loadBalancing() {
        String ep = "endpoints: [{address: 127.0.0.1:1}]";
        return Stream.of(
                error("clusters: {c: {" + ep + ", loadBalancer: ring-hash}}",
                        "clusters.c.hashOn: is required for ring-hash: one of header, cookie or sourceIp"),
                error("clusters: {c: {" + ep + ", hashOn: {header: x}}}", "clusters.c.hashOn: only applies to loadBalancer: ring-hash"),
                error("clusters: {c: {" + ep + ", loadBalancer: ring-hash, hashOn: {header: x, cookie: y}}}",
                        "clusters.c.hashOn: must set exactly one of header, cookie or sourceIp: true"),
                error("clusters: {c: {" + ep + ", loadBalancer: ring-hash, hashOn: {sourceIp: false}}}",
                        "clusters.c.hashOn: must set exactly one of header, cookie or sourceIp: true"),
                error("clusters: {c: {" + ep + ", loadBalancer: ring-hash, hashOn: {}}}",
                        "clusters.c.hashOn: must set exactly one of header, cookie or sourceIp: true"),
                error("clusters: {c: {" + ep + ", loadBalancer: ring-hash, hashOn: {header: 'a b'}}}",
                        "clusters.c.hashOn.header: is not a valid header name"),
                error("clusters: {c: {" + ep + ", loadBalancer: ring-hash, hashOn: {cookie: 'a;b'}}}",
                        "clusters.c.hashOn.cookie: is not a valid cookie name"),
                error("clusters: {c: {" + ep + ", loadBalancer: ring-hash, hashOn: x-user}}",
                        "clusters.c.hashOn: must be an object (was 'x-user')"),
                error("clusters: {c: {" + ep + ", loadBalancer: least_request}}",
                        "clusters.c.loadBalancer: unknown value 'least_request'; expected one of round-robin, least-request, random, ring-hash, zone-aware"),
                // a misspelt load balancer gives one error, not a second one about its settings
                error("clusters: {c: {" + ep + ", loadBalancer: ringhash, hashOn: {header: x}}}",
                        "clusters.c.loadBalancer: unknown value 'ringhash'; expected one of round-robin, least-request, random, ring-hash, zone-aware"),
                error("clusters: {c: {endpoints: [{address: 127.0.0.1:1, zone: a}], loadBalancer: zone-aware}}",
                        "clusters.c.loadBalancer: zone-aware needs the top-level 'zone' of this process"),
                error("zone: a\nclusters: {c: {endpoints: [{address: 127.0.0.1:1, zone: a}, {address: 127.0.0.1:2}], loadBalancer: zone-aware}}",
                        "clusters.c.endpoints[1].zone: is required for zone-aware load balancing"),
                // the index stays right when an earlier endpoint is broken
                error("zone: a\nclusters: {c: {endpoints: [{address: bad, zone: a}, {address: 127.0.0.1:2}], loadBalancer: zone-aware}}",
                        "clusters.c.endpoints[0].address: must be host:port, such as 127.0.0.1:8080 or [::1]:8080 (was 'bad')",
                        "clusters.c.endpoints[1].zone: is required for zone-aware load balancing"),
                error("clusters: {c: {" + ep + ", zoneAware: {minHealthyPercent: 50}}}",
                        "clusters.c.zoneAware: only applies to loadBalancer: zone-aware"),
                error("zone: a\nclusters: {c: {endpoints: [{address: 127.0.0.1:1, zone: a}], loadBalancer: zone-aware, zoneAware: {minHealthyPercent: 101}}}",
                        "clusters.c.zoneAware.minHealthyPercent: must be between 0 and 100 (was 101)"),
                error("clusters: {c: {" + ep + ", protocol: http2}}", "clusters.c.protocol: unknown value 'http2'; expected one of http1, h2c, h2"));
    }

    static Stream<Arguments> clusterSettings() {
        String c = "clusters: {c: {endpoints: [{address: 127.0.0.1:1";
        return Stream.of(
                error("clusters: {c: {}}", "clusters.c.endpoints: is required: list at least one {address: host:port}"),
                error("clusters: {c: {endpoints: []}}", "clusters.c.endpoints: must list at least one endpoint"),
                error("clusters: {c: {endpoints: 127.0.0.1:9001}}", "clusters.c.endpoints: must be a list (was '127.0.0.1:9001')"),
                error("clusters: {c: {endpoints: ['127.0.0.1:9001']}}", "clusters.c.endpoints[0]: must be an object (was '127.0.0.1:9001')"),
                error(c + ", weight: 0}]}}", "clusters.c.endpoints[0].weight: must be between 1 and 1000 (was 0)"),
                error(c + ", labels: [a]}]}}", "clusters.c.endpoints[0].labels: must be an object of string values (was a list)"),
                error(c + ", labels: {a: {b: c}, d: }}]}}", "clusters.c.endpoints[0].labels.a: must be a string",
                        "clusters.c.endpoints[0].labels.d: must be a string"),
                error(c + "}], healthCheck: {interval: 1s}}}", "clusters.c.healthCheck.path: is required"),
                error(c + "}], healthCheck: {path: healthz}}}", "clusters.c.healthCheck.path: must start with '/'"),
                error(c + "}], healthCheck: {path: '/health z'}}}", "clusters.c.healthCheck.path: must not contain spaces or control characters"),
                error(c + "}], healthCheck: {path: /h, host: 'a b'}}}",
                        "clusters.c.healthCheck.host: must be a host name without spaces or control characters"),
                error(c + "}], healthCheck: {path: /h, interval: 0, timeout: 0s}}}",
                        "clusters.c.healthCheck.interval: must be greater than 0", "clusters.c.healthCheck.timeout: must be greater than 0"),
                error(c + "}], healthCheck: {path: /h, healthyThreshold: 0, unhealthyThreshold: 101}}}",
                        "clusters.c.healthCheck.healthyThreshold: must be between 1 and 100 (was 0)",
                        "clusters.c.healthCheck.unhealthyThreshold: must be between 1 and 100 (was 101)"),
                error(c + "}], healthCheck: /healthz}}", "clusters.c.healthCheck: must be an object (was '/healthz')"),
                error(c + "}], pool: {maxConnections: 0, maxPendingRequests: -1, maxRequestsPerConnection: -1}}}",
                        "clusters.c.pool.maxConnections: must be between 1 and 1000000 (was 0)",
                        "clusters.c.pool.maxPendingRequests: must be between 0 and 1000000 (was -1)",
                        "clusters.c.pool.maxRequestsPerConnection: must be between 0 and 2147483647 (was -1)"));
    }

    static Stream<Arguments> observability() {
        String known = String.join(", ", ConfigLoader.ACCESS_LOG_FIELDS);
        return Stream.of(
                error("observability: {tracing: {otlpEndpoint: '127.0.0.1:4318'}}",
                        "observability.tracing.otlpEndpoint: must be an http:// or https:// URL (was '127.0.0.1:4318')"),
                error("observability: {tracing: {otlpEndpoint: 'http://collector 4318'}}",
                        "observability.tracing.otlpEndpoint: is not a URL: Illegal character in authority at index 16: http://collector 4318"),
                error("observability: {tracing: {serviceName: ''}}", "observability.tracing.serviceName: must not be empty"),
                error("observability: {tracing: {recent: {traces: -1}}}",
                        "observability.tracing.recent.traces: must be between 0 and 10000 (was -1)"),
                error("observability: {tracing: {recent: {trace: 5}}}",
                        "observability.tracing.recent.trace: unknown field (did you mean 'traces'?)"),
                error("observability: {tracing: {headers: {'bad name': x}}}",
                        "observability.tracing.headers: 'bad name' is not a header name"),
                error("observability: {accessLog: {format: xml}}",
                        "observability.accessLog.format: unknown value 'xml'; expected one of json, text"),
                error("observability: {accessLog: {fields: [time, stauts, colour]}}",
                        "observability.accessLog.fields: unknown field 'stauts' (did you mean 'status'?); known: " + known,
                        "observability.accessLog.fields: unknown field 'colour'; known: " + known),
                error("observability: {accessLog: {fields: [status, status]}}", "observability.accessLog.fields: 'status' is listed twice"),
                error("observability: {accessLog: {path: ''}}", "observability.accessLog.path: must not be empty (stdout, stderr or a file path)"));
    }

    static Stream<Arguments> notYetAvailable() {
        return Stream.of(
                error("listeners: [{address: 127.0.0.1:8443, tls: {certificates: []}}]",
                        "listeners[0].tls.certificates: must list at least one {certFile, keyFile}"),
                // upstream TLS is available now: its section is checked like any other
                error("clusters: {c: {endpoints: [{address: 127.0.0.1:1}], tls: {ciphers: [RC4]}, circuitBreaker: {}, outlierDetection: {consecutive5xxErrors: 5}}}",
                        "clusters.c.tls.ciphers: unknown field"),
                // a later capability's name at the wrong level is just an unknown field
                error("tls: {}", "tls: unknown field"),
                error("retries: {}", "retries: unknown field"));
    }

    static Stream<Arguments> topLevel() {
        String top = "the top level must be an object of sections (admin, listeners, clusters, routes, ...)";
        return Stream.of(
                error("- admin: {}", top + " (was a list)"),
                error("hello", top + " (was 'hello')"),
                error("42", top + " (was '42')"),
                error("listeners: []", "listeners: must have at least one listener (leave the section out for the default 127.0.0.1:8080)"),
                error("admin: [a]\nlisteners: []", "admin: must be an object (was a list)",
                        "listeners: must have at least one listener (leave the section out for the default 127.0.0.1:8080)"));
    }

    @Nested
    class OddButValid {
        @ParameterizedTest
        @ValueSource(strings = {"clusters: {}", "routes: []", "routes:", "clusters:\nroutes:", "clusters: {}\nroutes: []",
                "observability: {accessLog: {fields: []}}", "admin: {address: 127.0.0.1:0}"})
        void loads(String yaml) {
            Yaml.load(yaml);
        }

        @ParameterizedTest
        @ValueSource(strings = {"/a%20b", "/caf%C3%A9", "/.well-known/acme", "/a/...", "/a/..b", "/api/", "/", "/a//b", "/a%2Fb"})
        void pathsThatNormalizationKeepsAreAccepted(String path) {
            assertThat(Yaml.load(C + "routes: [{cluster: c, match: {pathPrefix: '" + path + "'}}]").routes().get(0).match().path())
                    .isEqualTo(path);
        }

        @Test
        void clustersWithoutRoutesAreFine() {
            assertThat(Yaml.load(C).clusters()).containsOnlyKeys("c");
        }
    }

    @Test
    void everyErrorOfAFileIsReportedAtOnceInReadingOrder() {
        String yaml = """
                admin: {address: localhost}
                listeners:
                  - {name: public, address: 127.0.0.1:8080, idleTimeout: 0}
                  - {name: public, address: 127.0.0.1:8081}
                clusters:
                  users:
                    endpoints: [{address: 127.0.0.1:9001, wieght: 2}]
                    loadBalancer: ring-hash
                routes:
                  - name: users
                    match: {pathPrefix: /users, methods: [get]}
                    cluster: userz
                    timeout: 2 seconds
                """;
        assertErrors(yaml,
                "admin.address: must be host:port, such as 127.0.0.1:8080 or [::1]:8080 (was 'localhost')",
                "listeners[0].idleTimeout: must be greater than 0",
                "listeners[1].name: duplicate listener name 'public'",
                "clusters.users.endpoints[0].wieght: unknown field (did you mean 'weight'?)",
                "clusters.users.hashOn: is required for ring-hash: one of header, cookie or sourceIp",
                "routes[0].match.methods: unknown method 'get'; methods are upper-case: GET",
                "routes[0].cluster: unknown cluster 'userz' (did you mean 'users'?)",
                "routes[0].timeout: must be a duration such as 250ms, 1.5s, 1m30s or 2h (was '2 seconds')");
    }

    @Test
    void fiveMistakesGiveFiveLines() {
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
                listeners: [{address: 127.0.0.1:80, maxHeaderCount: many}]
                clusters: {c: {endpoints: [{address: 127.0.0.1:0}]}}
                routes:
                  - {cluster: c, match: {pathRegex: '('}}
                  - {cluster: d}
                drainTimout: 5s
                """, "five.yaml"));
        assertThat(e.errors()).hasSize(5);
        assertThat(e.getMessage().lines()).containsExactly(
                "listeners[0].maxHeaderCount: must be an integer",
                "clusters.c.endpoints[0].address: port must be 1-65535",
                "routes[0].match.pathRegex: invalid regular expression: Unclosed group near index 1",
                "routes[1].cluster: unknown cluster 'd'",
                "drainTimout: unknown field (did you mean 'drainTimeout'?)");
    }

    @Test
    void theDesignDocumentExampleIsRefusedOnlyForItsMissingCertificateFiles() {
        assertErrors("""
                admin: {address: 127.0.0.1:9901}
                listeners:
                  - {name: public, address: 127.0.0.1:8443, tls: {certificates: [{certFile: api.pem, keyFile: api.key}]}}
                clusters:
                  users:
                    endpoints:
                      - {address: 127.0.0.1:9001, zone: a, labels: {version: v1}}
                      - {address: 127.0.0.1:9002, zone: b, labels: {version: v2}}
                    loadBalancer: least-request
                    healthCheck: {path: /healthz, interval: 5s}
                    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}
                auth:
                  jwt:
                    - {name: main, issuer: "https://auth.example.com/", audiences: [api], jwksUri: "https://auth.example.com/jwks.json"}
                  apiKeys: {header: X-API-Key, store: {type: redis, uri: "redis://127.0.0.1:6379"}}
                rateLimits:
                  store: {type: redis, uri: "redis://127.0.0.1:6379"}
                  policies:
                    per-client: {limit: 1000, window: 1m, key: [client, route]}
                routes:
                  - name: users
                    match: {pathPrefix: /api/v1/users, methods: [GET, POST]}
                    cluster: users
                    auth: {anyOf: [jwt:main, apiKey], scopes: ["users:read"]}
                    rateLimit: [per-client]
                    timeout: 2s
                    retries: {attempts: 3, retryOn: [5xx, connect-failure], backoff: {base: 25ms, max: 250ms}}
                    split: [{subset: {version: v1}, weight: 90}, {subset: {version: v2}, weight: 10}]
                """,
                "listeners[0].tls.certificates[0].certFile: cannot read 'api.pem': no such file",
                "listeners[0].tls.certificates[0].keyFile: cannot read 'api.key': no such file");
    }
}
