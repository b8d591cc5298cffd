package io.strait.config.load;

import static io.strait.config.load.ConfigLoaderErrorsTest.C;
import static io.strait.config.load.ConfigLoaderErrorsTest.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.FilterSpec;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteVersion;
import io.strait.config.model.StraitConfig;
import io.strait.config.model.VersionSetConfig;
import io.strait.config.model.VersionSetConfig.ApiVersion;
import io.strait.config.model.VersionSetConfig.Links;
import io.strait.config.model.VersionSetConfig.Scheme;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code versionSets} section and routes' {@code version}: values, defaults, and every error with its path. */
class VersionSetReaderTest {
    private static final String USERS = """
            versionSets:
              users:
                scheme: path
                default: v2
                versions:
                  v1:
                    deprecated: 2026-01-01T00:00:00Z
                    sunset: 2027-12-04T00:00:00Z
                    successor: v2
                    links: {deprecation: "https://docs.example.com/v1", sunset: "https://docs.example.com/v1-sunset"}
                  v2: {}
            """;

    @Test
    void readsEverySettingAndExpandsTheShortForm() {
        StraitConfig c = Yaml.load(C + USERS + """
                  orders: {scheme: header, versions: {v1: {}}}
                  products: {scheme: query, query: api-version, versions: {"2024-01-01": {}}}
                  items: {scheme: mediaType, mediaType: application/vnd.acme+json, versions: {v1: {sunset: "2030-01-01T01:00:00+01:00"}}}
                routes:
                  - {name: users-v1, match: {pathPrefix: /api/v1/users}, cluster: c, version: {set: users, name: v1}}
                  - name: users-v2
                    match: {pathPrefix: /api/v2/users}
                    cluster: c
                    filters: [{version: {set: users, name: v2}}]
                  - {name: plain, match: {pathPrefix: /plain}, cluster: c}
                """);
        VersionSetConfig users = c.versionSets().get("users");
        assertThat(users.scheme()).isEqualTo(Scheme.PATH);
        assertThat(users.defaultVersion()).isEqualTo("v2");
        assertThat(users.header()).isNull();
        assertThat(users.versions().keySet()).containsExactly("v1", "v2");
        assertThat(users.version("v1")).isEqualTo(new ApiVersion("v1", Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2027-12-04T00:00:00Z"), "v2",
                new Links("https://docs.example.com/v1", "https://docs.example.com/v1-sunset", null)));
        assertThat(users.version("v2")).isEqualTo(new ApiVersion("v2", null, null, null, Links.NONE));
        assertThat(c.versionSets().get("orders").header()).isEqualTo(VersionSetConfig.DEFAULT_HEADER).isEqualTo("X-API-Version");
        assertThat(c.versionSets().get("products").query()).isEqualTo("api-version");
        VersionSetConfig items = c.versionSets().get("items");
        assertThat(items.mediaType()).isEqualTo("application/vnd.acme+json");
        assertThat(items.parameter()).isEqualTo("version");
        assertThat(items.version("v1").sunset()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));

        RouteConfig v1 = c.routes().get(0);
        assertThat(v1.filters()).containsExactly(new FilterSpec("version", new RouteVersion("users", "v1", users), "routes[0].version"));
        assertThat(c.routes().get(1).filter("version")).isEqualTo(new RouteVersion("users", "v2", users));
        assertThat(c.routes().get(2).filters()).isEmpty();
    }

    @Test
    void theShortFormComesAfterAuthAndRateLimit() {
        StraitConfig c = Yaml.load(C + USERS + """
                auth: {apiKeys: {store: {type: file, path: keys.json}}}
                rateLimits: {policies: {p: {limit: 1, window: 1s}}}
                routes:
                  - {name: r, match: {pathPrefix: /api/v1/users}, cluster: c, version: {set: users, name: v1}, rateLimit: p, auth: apiKey}
                """);
        assertThat(c.routes().get(0).filters().stream().map(FilterSpec::name)).containsExactly("auth", "rateLimit", "version");
    }

    /** Routes of one path told apart by the version they serve do not shadow each other; unversioned ones still do. */
    @Test
    void versionedRoutesOfOnePathAreNotWarnedAsNeverMatching() {
        StraitConfig c = Yaml.load(C + """
                versionSets: {orders: {scheme: header, default: v2, versions: {v1: {}, v2: {}}}}
                routes:
                  - {name: o1, match: {pathPrefix: /orders}, cluster: c, version: {set: orders, name: v1}}
                  - {name: o2, match: {pathPrefix: /orders}, cluster: c, version: {set: orders, name: v2}}
                  - {name: plain, match: {pathPrefix: /plain}, cluster: c}
                  - {name: shadowed, match: {pathPrefix: /plain}, cluster: c, version: {set: orders, name: v2}}
                """);
        assertThat(ConfigWarnings.of(c)).containsExactly("routes[3]: never matches: routes[2] ('plain') comes first with the"
                + " same hosts and path and no other condition, so it takes every request this route would");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void reportsExactly(String yaml, List<String> expected) {
        assertThat(Yaml.errors(yaml)).as("errors of:\n%s", yaml).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                error(C + "versionSets: {users: {scheme: path, versions: {v1: {deprecated: 2026-01-01T00:00:00Z,"
                        + " sunset: 2025-12-31T23:59:59Z}}}}",
                        "versionSets.users.versions.v1.sunset: earlier than deprecated (2026-01-01T00:00:00Z)"),
                error(C + USERS + "routes: [{name: r, match: {pathPrefix: /api/v1/users}, cluster: c, version: {set: userz, name: v1}}]",
                        "routes[0].version.set: unknown version set 'userz' (did you mean 'users'?)"),
                error(C + "routes: [{name: r, cluster: c, version: {set: users, name: v1}}]",
                        "routes[0].version.set: unknown version set 'users' (versionSets declares none)"),
                error(C + USERS + "routes: [{name: r, match: {pathPrefix: /api/v3/users}, cluster: c, version: {set: users, name: v3}}]",
                        "routes[0].version.name: unknown version 'v3' in version set 'users' (did you mean 'v1'?) (known: v1, v2)"),
                error(C + USERS + "routes: [{name: r, match: {pathPrefix: /api/users}, cluster: c, version: {set: users, name: v1}}]",
                        "routes[0].version.name: the path scheme reads the version from the path, and '/api/users' has no segment 'v1'"),
                error(C + USERS + "routes: [{name: r, match: {pathRegex: \"/api/v1/.*\"}, cluster: c, version: {set: users, name: v1}}]",
                        "routes[0].version: the path scheme needs a path, pathPrefix or pathTemplate match (a pathRegex does not show its version)"),
                error(C + USERS + "routes: [{name: r, cluster: c, version: {set: users}}]", "routes[0].version.name: is required"),
                error(C + USERS + "routes: [{name: r, cluster: c, filters: [], version: {set: users, name: v1}}]",
                        "routes[0].version: this route declares filters: write version in that list, where it should run"),
                error(C + USERS + "listeners: [{address: 127.0.0.1:80, filters: [{version: {set: users, name: v1}}]}]",
                        "listeners[0].filters[0].version: only routes take the version filter (it needs the route to know who may call what)"),
                error(C + "versionSets: {users: {scheme: paths, versions: {v1: {}}}}",
                        "versionSets.users.scheme: unknown scheme 'paths' (did you mean 'path'?); expected one of path, header, query, mediaType"),
                error(C + "versionSets: {users: {versions: {v1: {}}}}", "versionSets.users.scheme: is required"),
                error(C + "versionSets: {users: {scheme: header}}",
                        "versionSets.users.versions: is required: declare each version, such as {v1: {}, v2: {}}"),
                error(C + "versionSets: {users: {scheme: header, versions: {}}}", "versionSets.users.versions: must declare at least one version"),
                error(C + "versionSets: {users: {scheme: mediaType, versions: {v1: {}}}}",
                        "versionSets.users.mediaType: is required with the mediaType scheme (such as application/vnd.acme+json)"),
                error(C + "versionSets: {users: {scheme: mediaType, mediaType: json, versions: {v1: {}}}}",
                        "versionSets.users.mediaType: must be a media type type/subtype, such as application/vnd.acme+json (was 'json')"),
                error(C + "versionSets: {users: {scheme: path, header: X-V, versions: {v1: {}}}}",
                        "versionSets.users.header: only the header scheme uses header (the scheme is path)"),
                error(C + "versionSets: {users: {scheme: header, header: \"X V\", versions: {v1: {}}}}",
                        "versionSets.users.header: is not a valid header name ('X V')"),
                error(C + "versionSets: {users: {scheme: header, default: v3, versions: {v1: {}, v2: {}}}}",
                        "versionSets.users.default: unknown version 'v3' (did you mean 'v1'?) (known: v1, v2)"),
                error(C + "versionSets: {users: {scheme: header, versions: {v1: {successor: v1}}}}",
                        "versionSets.users.versions.v1.successor: a version cannot succeed itself"),
                error(C + "versionSets: {users: {scheme: header, versions: {v1: {successor: next}}}}",
                        "versionSets.users.versions.v1.successor: unknown version 'next' (known: v1)"),
                error(C + "versionSets: {users: {scheme: header, versions: {v1: {deprecated: \"2026-01-01\"}}}}",
                        "versionSets.users.versions.v1.deprecated: must be an RFC 3339 date-time, such as 2026-01-01T00:00:00Z (was '2026-01-01')"),
                error(C + "versionSets: {users: {scheme: header, versions: {v1: {links: {deprecation: \"https://x/a b\"}}}}}",
                        "versionSets.users.versions.v1.links.deprecation: must be a URI without spaces, quotes or angle brackets (was 'https://x/a b')"),
                error(C + "versionSets: {users: {scheme: header, versions: {v1: {sunnset: 2026-01-01T00:00:00Z}}}}",
                        "versionSets.users.versions.v1.sunnset: unknown field (did you mean 'sunset'?)"),
                error(C + "versionSets: {\"bad name\": {scheme: header, versions: {v1: {}}}}",
                        "versionSets.bad name: " + ConfigReader.NAME_RULE),
                // a route naming a broken set gets no second error
                error(C + "versionSets: {users: {scheme: nope, versions: {v1: {}}}}\n"
                        + "routes: [{name: r, cluster: c, version: {set: users, name: v1}}]",
                        "versionSets.users.scheme: unknown scheme 'nope'; expected one of path, header, query, mediaType"));
    }

    /** A model built by code gets the same errors from the validator, with the same paths. */
    @Test
    void theValidatorChecksAModelBuiltByCode() {
        StraitConfig valid = Yaml.load(C + USERS + "routes: [{name: r, match: {pathPrefix: /api/v1/users}, cluster: c, version: {set: users, name: v1}}]");
        VersionSetConfig users = valid.versionSets().get("users");
        Map<String, ApiVersion> versions = new LinkedHashMap<>(users.versions());
        versions.put("v1", new ApiVersion("v1", Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2025-01-01T00:00:00Z"), "v2", Links.NONE));
        VersionSetConfig broken = new VersionSetConfig("users", Scheme.PATH, null, null, null, null, "v2", versions);
        RouteConfig r = valid.routes().get(0);
        List<RouteConfig> routes = new ArrayList<>(List.of(
                withVersion(r, new RouteVersion("users", "v1", broken)),
                withVersion(r, new RouteVersion("userz", "v1", broken)),
                withVersion(r, new RouteVersion("users", "v7", broken))));
        StraitConfig model = new StraitConfig(valid.admin(), valid.listeners(), valid.clusters(), routes, valid.observability(),
                valid.zone(), valid.drainTimeout(), valid.auth(), valid.rateLimits(), valid.mesh(), Map.of("users", broken));
        assertThat(ConfigValidator.validate(model)).containsExactly(
                "routes[1].filters[0].version.set: unknown version set 'userz' (did you mean 'users'?)",
                "routes[2].filters[0].version.name: unknown version 'v7' in version set 'users' (did you mean 'v1'?) (known: v1, v2)",
                "routes[2].filters[0].version.name: the path scheme reads the version from the path, and '/api/v1/users' has no segment 'v7'",
                "versionSets.users.versions.v1.sunset: earlier than deprecated (2026-01-01T00:00:00Z)");
        assertThat(ConfigValidator.validate(valid)).isEmpty();
    }

    private static RouteConfig withVersion(RouteConfig r, RouteVersion v) {
        return new RouteConfig(r.name() + v.set() + v.version(), r.match(), r.cluster(), r.rewrite(), r.timeout(), r.maxRequestBodySize(),
                List.of(new FilterSpec("version", v, null)), r.retries(), r.idleTimeout(), r.timeoutHeader(), r.traffic());
    }
}
