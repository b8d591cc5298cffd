package io.strait.filters.headers;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.filters.StandardFilters;
import io.strait.proxy.filter.FilterModule;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The headers settings as read from YAML: the contract's example, compiled templates, and every error with its path. */
class HeadersReaderTest {
    static StraitConfig load(String match, String filters) throws ConfigException {
        return ConfigLoader.parse("""
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - name: r
                    match: %s
                    cluster: c
                    filters:
                """.formatted(match) + filters.indent(6), "t.yaml", Path.of("."), FilterModule.catalogOf(StandardFilters.factories()));
    }

    static List<String> errors(String filters) {
        try {
            load("{pathTemplate: \"/users/{id}\"}", filters);
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("loaded: " + filters);
    }

    /** The same settings built by code get the reader's errors from the model validator, through {@link HeadersConfig#problems()}. */
    @Test
    void aCodeBuiltHeadersConfigGetsTheReadersErrors() throws Exception {
        StraitConfig ok = load("{pathPrefix: /}", "- headers: {response: {remove: [Server]}}");
        var route = ok.routes().get(0);
        var catalog = FilterModule.catalogOf(StandardFilters.factories());
        java.util.function.Function<HeadersConfig, List<String>> validate = h -> io.strait.config.load.ConfigValidator.validate(
                new StraitConfig(ok.admin(), ok.listeners(), ok.clusters(), List.of(new io.strait.config.model.RouteConfig(route.name(),
                        route.match(), route.cluster(), null, route.timeout(), null, List.of(new io.strait.config.model.FilterSpec("headers", h, null)),
                        route.retries(), null, false, route.traffic())), ok.observability(), ok.zone(), ok.drainTimeout(), ok.auth(),
                        ok.rateLimits()), catalog);
        var bad = new HeadersConfig(new HeadersConfig.Side(List.of("Server", "server", "Content-Length"), java.util.Map.of("X-A", "bad name"),
                java.util.Map.of(), java.util.Map.of(), java.util.Map.of()), HeadersConfig.Side.NONE);
        List<String> fromCode = validate.apply(bad);
        assertThat(fromCode).containsExactly(
                "routes[0].filters[0].headers.request.remove[1]: is given twice (header names are case-insensitive)",
                "routes[0].filters[0].headers.request.remove[2]: Content-Length cannot be changed by the headers filter"
                        + " (framing and hop-by-hop headers belong to the proxy)",
                "routes[0].filters[0].headers.request.rename.X-A: 'bad name' is not a header name (RFC 9110 token: letters,"
                        + " digits and !#$%&'*+-.^_`|~)");
        assertThat(errors("- headers: {request: {remove: [Server, server, Content-Length], rename: {X-A: \"bad name\"}}}"))
                .containsExactlyElementsOf(fromCode);
        assertThat(validate.apply(new HeadersConfig(HeadersConfig.Side.NONE, HeadersConfig.Side.NONE))).containsExactly(
                "routes[0].filters[0].headers: changes nothing: give request and/or response with one of remove, rename, set, add, append");
        assertThat(validate.apply((HeadersConfig) route.filters().get(0).config())).isEmpty();
    }

    @Test
    void theContractsExampleLoadsIntoCompiledTemplates() throws Exception {
        StraitConfig c = load("{pathPrefix: /api/v1/users}",
                "- headers: {request: {set: {X-Route: \"%route%\", X-Client-Ip: \"%client_ip%\"}}, response: {remove: [Server]}}");
        HeadersConfig h = (HeadersConfig) c.routes().get(0).filters().get(0).config();
        assertThat(h.request().set().keySet()).containsExactly("X-Route", "X-Client-Ip");
        assertThat(h.request().set().get("X-Route").parts()).containsExactly(new ValueTemplate.Route());
        assertThat(h.request().set().get("X-Route").toString()).isEqualTo("%route%");
        assertThat(h.response().remove()).containsExactly("Server");
        assertThat(h.response().set()).isEmpty();
    }

    @Test
    void templatesSplitIntoLiteralsAndVariablesOnceAtLoad() {
        List<String> errs = new java.util.ArrayList<>();
        ValueTemplate t = ValueTemplate.parse("a%%b %path_param.id%-%query.page%%claim.https://x.test/roles%", java.util.Set.of("id"), errs);
        assertThat(errs).isEmpty();
        assertThat(t.parts()).containsExactly(new ValueTemplate.Literal("a%b "), new ValueTemplate.PathParam("id"),
                new ValueTemplate.Literal("-"), new ValueTemplate.Query("page"), new ValueTemplate.Claim("https://x.test/roles"));
        assertThat(ValueTemplate.parse("100%%", java.util.Set.of(), errs).parts()).containsExactly(new ValueTemplate.Literal("100%"));
        assertThat(ValueTemplate.parse("plain", java.util.Set.of(), errs).constant()).isTrue();
    }

    @Test
    void unknownVariablesAndPathParametersTheTemplateLacksAreErrors() {
        assertThat(errors("- headers: {request: {set: {X-A: \"%rout%\", X-B: \"%path_param.user%\", X-C: \"50%\", X-D: \"%query.%\"}}}"))
                .containsExactly(
                        "routes[0].filters[0].headers.request.set.X-A: unknown variable %rout% (did you mean %route%?); known: %client_ip%,"
                                + " %request_id%, %route%, %path_param.NAME%, %query.NAME%, %claim.NAME% (%% is a literal %)",
                        "routes[0].filters[0].headers.request.set.X-B: %path_param.user%: the route's template has no {user} (it has id)",
                        "routes[0].filters[0].headers.request.set.X-C: an unclosed '%' at 2: write %% for a literal %, or %name% for a variable",
                        "routes[0].filters[0].headers.request.set.X-D: %query.% names no query (write %query.NAME%)");
    }

    @Test
    void aPathParameterOnARouteWithoutATemplateIsAnError() {
        try {
            load("{pathPrefix: /x}", "- headers: {request: {add: {X-Id: \"%path_param.id%\"}}}");
            throw new AssertionError("loaded");
        } catch (ConfigException e) {
            assertThat(e.errors()).containsExactly("routes[0].filters[0].headers.request.add.X-Id: %path_param.id%: this filter's route"
                    + " has no path template parameters (match: {pathTemplate: /users/{id}})");
        }
    }

    @Test
    void namesAreTokensNeverTheProxysAndValuesHaveNoControlCharacters() {
        assertThat(errors("""
                - headers:
                    request:
                      remove: [Host, "Bad Name"]
                      rename: {Content-Length: X-Len, X-Ok: Transfer-Encoding}
                      set: {X-Crlf: "a\\r\\nInjected: 1", X-Empty: "", Connection: close}
                    response:
                      append: {X-Dup: a, x-dup: b}
                      replace: {X-A: b}
                """)).containsExactly(
                "routes[0].filters[0].headers.request.remove[0]: Host cannot be changed by the headers filter (framing and hop-by-hop headers belong to the proxy)",
                "routes[0].filters[0].headers.request.remove[1]: 'Bad Name' is not a header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)",
                "routes[0].filters[0].headers.request.rename.Content-Length: Content-Length cannot be changed by the headers filter (framing and hop-by-hop headers belong to the proxy)",
                "routes[0].filters[0].headers.request.rename.X-Ok: Transfer-Encoding cannot be changed by the headers filter (framing and hop-by-hop headers belong to the proxy)",
                "routes[0].filters[0].headers.request.set.X-Crlf: a header value cannot hold the character U+000D (at 1)",
                "routes[0].filters[0].headers.request.set.X-Empty: must not be empty (to drop a header, list it in remove)",
                "routes[0].filters[0].headers.request.set.Connection: Connection cannot be changed by the headers filter (framing and hop-by-hop headers belong to the proxy)",
                "routes[0].filters[0].headers.response.append.x-dup: is given twice (header names are case-insensitive)",
                "routes[0].filters[0].headers.response.replace: write set (it replaces the header's values, or creates it)");
    }

    @Test
    void aFilterThatChangesNothingIsAnError() {
        assertThat(errors("- headers: {request: {}}")).containsExactly(
                "routes[0].filters[0].headers: changes nothing: give request and/or response with one of remove, rename, set, add, append");
        assertThat(errors("- headers: {requests: {set: {X-A: b}}}")).containsExactly(
                "routes[0].filters[0].headers.requests: unknown field (did you mean 'request'?)");
    }
}
