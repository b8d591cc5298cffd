package io.strait.filters.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.filters.StandardFilters;
import io.strait.proxy.filter.FilterModule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cors settings as read from YAML: defaults, the contract's example, and every error with its exact path. */
class CorsReaderTest {
    static StraitConfig load(String filters) throws ConfigException {
        return ConfigLoader.parse("""
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - name: r
                    match: {pathPrefix: /}
                    cluster: c
                    filters:
                """ + filters.indent(6), "t.yaml", Path.of("."), FilterModule.catalogOf(StandardFilters.factories()));
    }

    static List<String> errors(String filters) {
        try {
            load(filters);
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("loaded: " + filters);
    }

    @Test
    void theContractsExampleLoadsWithItsDefaults() throws Exception {
        StraitConfig c = load("- cors: {allowOrigins: [\"https://app.example.com\"], allowMethods: [GET, POST], allowCredentials: true, maxAge: 10m}");
        assertThat(c.routes().get(0).filters().get(0).config()).isEqualTo(new CorsConfig(List.of("https://app.example.com"),
                List.of("GET", "POST"), List.of(), List.of(), true, Duration.ofMinutes(10)));
        CorsConfig d = (CorsConfig) load("- cors: {allowOrigins: [\"*\"]}").routes().get(0).filters().get(0).config();
        assertThat(d.allowMethods()).isEqualTo(CorsConfig.DEFAULT_METHODS);
        assertThat(d.allowCredentials()).isFalse();
        assertThat(d.maxAge()).isNull();
        assertThat(d.anyOrigin()).isTrue();
    }

    @Test
    void credentialsWithEveryOriginAreRefused() {
        assertThat(errors("- cors: {allowOrigins: [\"*\"], allowCredentials: true}")).containsExactly(
                "routes[0].filters[0].cors.allowCredentials: cannot be true with allowOrigins \"*\" (browsers refuse it): list the origins");
        assertThat(errors("- cors: {allowOrigins: [\"https://a.test\"], exposeHeaders: [\"*\"], allowCredentials: true}")).containsExactly(
                "routes[0].filters[0].cors.exposeHeaders: cannot be \"*\" with allowCredentials true (browsers read it as a header name): list the headers");
    }

    /** The same settings built by code get the same errors from the model validator, through {@link CorsConfig#problems()}. */
    @Test
    void aCodeBuiltCorsConfigGetsTheReadersErrors() throws Exception {
        StraitConfig ok = load("- cors: {allowOrigins: [\"https://a.test\"]}");
        var route = ok.routes().get(0);
        var bad = new CorsConfig(List.of("*", "app.test"), List.of("GET"), List.of(), List.of("*"), true, Duration.ofMillis(1500));
        var next = new StraitConfig(ok.admin(), ok.listeners(), ok.clusters(), List.of(new io.strait.config.model.RouteConfig(
                route.name(), route.match(), route.cluster(), null, route.timeout(), null,
                List.of(new io.strait.config.model.FilterSpec("cors", bad, null)), route.retries(), null, false, route.traffic())),
                ok.observability(), ok.zone(), ok.drainTimeout(), ok.auth(), ok.rateLimits());
        assertThat(io.strait.config.load.ConfigValidator.validate(next, FilterModule.catalogOf(StandardFilters.factories())))
                .containsExactly(
                        "routes[0].filters[0].cors.allowOrigins[0]: '*' allows every origin: write it alone",
                        "routes[0].filters[0].cors.allowOrigins[1]: " + OriginMatcher.check("app.test"),
                        "routes[0].filters[0].cors.allowCredentials: cannot be true with allowOrigins \"*\" (browsers refuse it): list the origins",
                        "routes[0].filters[0].cors.exposeHeaders: cannot be \"*\" with allowCredentials true (browsers read it as a header name): list the headers",
                        "routes[0].filters[0].cors.maxAge: must be whole seconds (Access-Control-Max-Age counts seconds)");
        assertThat(errors("- cors: {allowOrigins: [\"https://a.test\"], allowCredentials: true, maxAge: 1500ms}"))
                .containsExactly("routes[0].filters[0].cors.maxAge: must be whole seconds (Access-Control-Max-Age counts seconds)");
    }

    @Test
    void everyBadOriginIsNamedByItsIndex() {
        assertThat(errors("- cors: {allowOrigins: [\"https://ok.test\", \"https://app.test/path\", \"app.test\", \"https://a.*.test\","
                + " \"regex:https://(\", \"null\", \"https://x.test:99999\"]}")).containsExactly(
                "routes[0].filters[0].cors.allowOrigins[1]: an origin has no path: write scheme://host[:port] (was 'https://app.test/path')",
                "routes[0].filters[0].cors.allowOrigins[2]: must be an origin such as https://app.example.com (scheme://host[:port]), https://*.example.com, or regex:PATTERN",
                "routes[0].filters[0].cors.allowOrigins[3]: a wildcard stands only for the leftmost labels ('*.example.com') or the port (':*'); use regex: for more",
                "routes[0].filters[0].cors.allowOrigins[4]: is not a valid regular expression: Unclosed group",
                "routes[0].filters[0].cors.allowOrigins[5]: the 'null' origin is sent by sandboxed frames and file: pages: allowing it lets any of them call",
                "routes[0].filters[0].cors.allowOrigins[6]: has an invalid port '99999'");
    }

    @Test
    void unknownFieldsMissingOriginsBadNamesAndDurationsAreErrors() {
        assertThat(errors("- cors: {allowOrigin: [\"https://a.test\"]}")).containsExactly(
                "routes[0].filters[0].cors.allowOrigins: is required: the origins that may call, e.g. [\"https://app.example.com\"] or [\"*\"]",
                "routes[0].filters[0].cors.allowOrigin: unknown field (did you mean 'allowOrigins'?)");
        assertThat(errors("- cors: {allowOrigins: [\"*\", \"https://a.test\"], allowMethods: [GET, \"BAD METHOD\"], allowHeaders: [\"X-A\", \"*\"], maxAge: 1500ms}"))
                .containsExactly(
                        "routes[0].filters[0].cors.allowOrigins[0]: '*' allows every origin: write it alone",
                        "routes[0].filters[0].cors.allowMethods[1]: 'BAD METHOD' is not a method (RFC 9110 token)",
                        "routes[0].filters[0].cors.allowHeaders[1]: '*' allows any: write it alone",
                        "routes[0].filters[0].cors.maxAge: must be whole seconds (Access-Control-Max-Age counts seconds)");
        assertThat(errors("- cors:")).containsExactly(
                "routes[0].filters[0].cors: must be an object with allowOrigins, e.g. {allowOrigins: [\"https://app.example.com\"]}");
    }

    @Test
    void aListenerMayDeclareCors() throws Exception {
        StraitConfig c = ConfigLoader.parse("""
                listeners: [{name: l, address: "127.0.0.1:0", filters: [{cors: {allowOrigins: ["https://*.example.com"]}}]}]
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes: [{name: r, match: {pathPrefix: /}, cluster: c}]
                """, "t.yaml", Path.of("."), FilterModule.catalogOf(StandardFilters.factories()));
        assertThat(c.listeners().get(0).filters()).hasSize(1);
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes: [{name: r, match: {pathPrefix: /}, cluster: c, filters: [{cors: {allowOrigins: ["*"]}}]}]
                """, "t.yaml")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors().get(0)).startsWith("routes[0].filters[0].cors: unknown filter 'cors'"));
    }
}
