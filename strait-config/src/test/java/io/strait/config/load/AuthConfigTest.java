package io.strait.config.load;

import static io.strait.config.load.ConfigLoaderErrorsTest.C;
import static io.strait.config.load.ConfigLoaderErrorsTest.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.ApiKeysConfig;
import io.strait.config.model.AuthConfig;
import io.strait.config.model.JwtProviderConfig;
import io.strait.config.model.RouteAuth;
import io.strait.config.model.StraitConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code auth} section and routes' {@code auth} policies: values, defaults and every error's path. */
class AuthConfigTest {
    private static final String JWT = "auth:\n  jwt:\n    - {name: main, issuer: \"https://i.test/\", jwksUri: \"https://i.test/jwks\"}\n";

    @Test
    void readsEverySetting() throws Exception {
        StraitConfig c = ConfigLoader.parse(C + """
                auth:
                  identityHeaders: [X-Internal-Role]
                  jwt:
                    - name: main
                      issuer: "https://auth.example.com/"
                      audiences: [api, web]
                      jwksUri: "https://auth.example.com/.well-known/jwks.json"
                      algorithms: [ES256, EdDSA]
                      clockSkew: 30s
                      jwksRefresh: 10m
                      jwksTimeout: 2s
                      tenantClaim: org
                      claimHeaders: {X-Email: email}
                      forwardToken: true
                    - {name: local, issuer: demo, jwksFile: jwks.json}
                  apiKeys:
                    header: X-Key
                    queryParam: api_key
                    store: {type: redis, uri: "redis://127.0.0.1:6379/2", keyPrefix: "k:"}
                    cacheTtl: 5s
                    negativeCacheTtl: 2s
                routes:
                  - {name: a, cluster: c, auth: {anyOf: [jwt:main, apiKey], scopes: [users:read]}}
                  - {name: b, cluster: c, auth: {allOf: [jwt:local, apiKey]}}
                  - {name: d, cluster: c, auth: apiKey}
                  - {name: e, cluster: c, auth: none}
                  - {name: f, cluster: c}
                """, "t.yaml");
        AuthConfig a = c.auth();
        assertThat(a.identityHeaders()).containsExactly("X-Internal-Role");
        assertThat(a.jwt().get(0)).isEqualTo(new JwtProviderConfig("main", "https://auth.example.com/", List.of("api", "web"),
                URI.create("https://auth.example.com/.well-known/jwks.json"), null, List.of("ES256", "EdDSA"),
                Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(2), "org", Map.of("X-Email", "email"), true));
        Path cwd = Path.of("").toAbsolutePath();
        assertThat(a.jwt().get(1)).isEqualTo(new JwtProviderConfig("local", "demo", List.of(), null, cwd.resolve("jwks.json"),
                JwtProviderConfig.DEFAULT_ALGORITHMS, JwtProviderConfig.DEFAULT_CLOCK_SKEW, JwtProviderConfig.DEFAULT_JWKS_REFRESH,
                JwtProviderConfig.DEFAULT_JWKS_TIMEOUT, "tenant", Map.of(), false));
        assertThat(a.apiKeys()).isEqualTo(new ApiKeysConfig("X-Key", "api_key",
                new ApiKeysConfig.Store(ApiKeysConfig.StoreType.REDIS, null, "redis://127.0.0.1:6379/2", "k:"),
                Duration.ofSeconds(5), Duration.ofSeconds(2), false));
        assertThat(c.routes().get(0).auth()).isEqualTo(new RouteAuth(RouteAuth.Mode.ANY_OF, List.of("jwt:main", "apiKey"), List.of("users:read")));
        assertThat(c.routes().get(1).auth()).isEqualTo(new RouteAuth(RouteAuth.Mode.ALL_OF, List.of("jwt:local", "apiKey"), List.of()));
        assertThat(c.routes().get(2).auth()).isEqualTo(new RouteAuth(RouteAuth.Mode.ANY_OF, List.of("apiKey"), List.of()));
        assertThat(c.routes().get(3).auth()).isEqualTo(RouteAuth.NONE);
        assertThat(c.routes().get(4).auth()).isEqualTo(RouteAuth.NONE);
    }

    @Test
    void apiKeyDefaultsToTheFileStore() throws Exception {
        StraitConfig c = ConfigLoader.parse("auth: {apiKeys: {}}", "t.yaml");
        assertThat(c.auth().apiKeys()).isEqualTo(new ApiKeysConfig("X-API-Key", null,
                new ApiKeysConfig.Store(ApiKeysConfig.StoreType.FILE, Path.of("").toAbsolutePath().resolve(".strait/apikeys.json"), null, null),
                Duration.ofSeconds(10), Duration.ofSeconds(10), false));
        assertThat(ConfigLoader.parse("admin: {}", "t.yaml").auth()).isEqualTo(AuthConfig.NONE);
    }

    @Test
    void relativeFilesAreResolvedAgainstTheConfigFilesDirectory(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("gw.yaml");
        java.nio.file.Files.writeString(file, """
                auth:
                  jwt: [{name: m, issuer: x, jwksFile: keys/jwks.json}]
                  apiKeys: {store: {type: file, path: ../shared/keys.json}}
                """);
        StraitConfig c = ConfigLoader.load(file);
        assertThat(c.auth().jwt().get(0).jwksFile()).isEqualTo(dir.resolve("keys/jwks.json"));
        assertThat(c.auth().apiKeys().store().path()).isEqualTo(dir.getParent().resolve("shared/keys.json"));
        java.nio.file.Files.writeString(file, "auth: {apiKeys: {}}\n");
        assertThat(ConfigLoader.load(file).auth().apiKeys().store().path()).isEqualTo(dir.resolve(".strait/apikeys.json"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void reportsExactly(String yaml, List<String> expected) {
        assertThat(Yaml.errors(yaml)).as("errors of:\n%s", yaml).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                error("auth: {jwt: [{issuer: x, jwksUri: \"https://i.test/k\"}]}", "auth.jwt[0].name: is required"),
                error("auth: {jwt: [{name: m, jwksUri: \"https://i.test/k\"}]}", "auth.jwt[0].issuer: is required"),
                error("auth: {jwt: [{name: m, issuer: x}]}", "auth.jwt[0].jwksUri: set exactly one of jwksUri and jwksFile"),
                error("auth: {jwt: [{name: m, issuer: x, jwksUri: \"https://i.test/k\", jwksFile: k.json}]}",
                        "auth.jwt[0].jwksFile: set exactly one of jwksUri and jwksFile"),
                error("auth: {jwt: [{name: m, issuer: x, jwksUri: \"http://idp.example.com/k\"}]}",
                        "auth.jwt[0].jwksUri: must use https (plain http is allowed only to a loopback address, where nobody can swap the keys on the way)"),
                error("auth: {jwt: [{name: m, issuer: x, jwksUri: \"ftp://i.test/k\"}]}",
                        "auth.jwt[0].jwksUri: must be an https:// URL (was 'ftp://i.test/k')"),
                error("auth: {jwt: [{name: m, issuer: x, jwksFile: k, algorithms: [none, HS256, RS257]}]}",
                        "auth.jwt[0].algorithms[0]: 'none' is not accepted: only asymmetric algorithms (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)",
                        "auth.jwt[0].algorithms[1]: 'HS256' is not accepted: only asymmetric algorithms (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)",
                        "auth.jwt[0].algorithms[2]: unknown algorithm 'RS257' (did you mean 'RS256'?)"),
                error("auth: {jwt: [{name: m, issuer: x, jwksFile: k, clockSkew: 1h, jwksRefresh: 1s}]}",
                        "auth.jwt[0].clockSkew: must be between 0s and 10m", "auth.jwt[0].jwksRefresh: must be at least 10s"),
                error("auth: {jwt: [{name: m, issuer: x, jwksFile: k, claimHeaders: {Host: h, \"Bad Name\": c, X-User-ID: sub}}]}",
                        "auth.jwt[0].claimHeaders.Host: header 'Host' cannot be set from a claim",
                        "auth.jwt[0].claimHeaders.Bad Name: is not a valid header name",
                        "auth.jwt[0].claimHeaders.X-User-ID: header 'X-User-ID' cannot be set from a claim"),
                error("auth: {jwt: [{name: m, issuer: x, jwksFile: k}, {name: m, issuer: y, jwksFile: k}]}",
                        "auth.jwt[1].name: duplicate JWT provider name 'm'"),
                error("auth: {jwt: [{name: m, issuer: x, jwksFile: k, jwksRefrsh: 1m}]}",
                        "auth.jwt[0].jwksRefrsh: unknown field (did you mean 'jwksRefresh'?)"),
                error("auth: {apiKeys: {header: \"X Key\", queryParam: \"a b\"}}",
                        "auth.apiKeys.header: is not a valid header name ('X Key')",
                        "auth.apiKeys.queryParam: use 1-64 letters, digits, '_', '.', '~' or '-' (was 'a b')"),
                error("auth: {apiKeys: {store: {type: redis}}}", "auth.apiKeys.store.uri: is required"),
                error("auth: {apiKeys: {store: {type: redis, uri: \"http://x\"}}}", "auth.apiKeys.store.uri: must start with redis:// or rediss://"),
                error("auth: {apiKeys: {store: {type: redis, uri: \"redis://:pw@cache\"}}}",
                        "auth.apiKeys.store.uri: must name a host and a port: redis://[:password@]host:port[/db]"),
                error("auth: {apiKeys: {store: {type: mysql}}}", "auth.apiKeys.store.type: must be file or redis (was 'mysql')"),
                error("auth: {apiKeys: {cacheTtl: 1h}}", "auth.apiKeys.cacheTtl: must be between 0s and 10m"),
                error("auth: {identityHeaders: [\"X Bad\"]}", "auth.identityHeaders[0]: is not a valid header name ('X Bad')"),
                error("auth: {oauth: {}}", "auth.oauth: unknown field"),
                error(C + JWT + "routes: [{cluster: c, auth: jwt:mian}]", "routes[0].auth: unknown JWT provider 'mian' (did you mean 'main'?)"),
                error(C + "routes: [{cluster: c, auth: jwt:main}]", "routes[0].auth: unknown JWT provider 'main' (auth.jwt declares none)"),
                error(C + "routes: [{cluster: c, auth: apiKey}]", "routes[0].auth: apiKey needs an auth.apiKeys section"),
                error(C + "routes: [{cluster: c, auth: apikey}]", "routes[0].auth: unknown credential 'apikey': use jwt:NAME or apiKey (did you mean 'apiKey'?)"),
                error(C + JWT + "routes: [{cluster: c, auth: {anyOf: [jwt:main], allOf: [jwt:main]}}]",
                        "routes[0].auth.allOf: set exactly one of anyOf and allOf (or write auth: none)"),
                error(C + JWT + "routes: [{cluster: c, auth: {scopes: [a]}}]",
                        "routes[0].auth.anyOf: set exactly one of anyOf and allOf (or write auth: none)"),
                error(C + JWT + "routes: [{cluster: c, auth: {anyOf: []}}]",
                        "routes[0].auth.anyOf: must name at least one credential (jwt:NAME or apiKey)"),
                error(C + JWT + "routes: [{cluster: c, auth: {anyOf: [jwt:main, jwt:main], scopes: [\"a b\"]}}]",
                        "routes[0].auth.anyOf[1]: 'jwt:main' is named twice",
                        "routes[0].auth.scopes[0]: a scope is printable ASCII without spaces, quotes or backslashes"),
                error(C + JWT + "routes: [{cluster: c, auth: {anyOf: [jwt:main], scope: [a]}}]",
                        "routes[0].auth.scope: unknown field (did you mean 'scopes'?)"));
    }
}
