package io.strait.filters.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.load.ConfigValidator;
import io.strait.config.model.FilterSpec;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import io.strait.filters.StandardFilters;
import io.strait.proxy.filter.BodyAccess;
import io.strait.proxy.filter.FilterModule;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transform settings as read from YAML: the contract's example, and every error with its exact path. */
class TransformReaderTest {
    private static final String P = "routes[0].filters[0].transform.";

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
        return errors("{pathTemplate: \"/users/{id}\"}", filters);
    }

    static List<String> errors(String match, String filters) {
        try {
            load(match, filters);
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("loaded: " + filters);
    }

    @Test
    void theContractsExampleLoads() throws Exception {
        StraitConfig c = load("{pathTemplate: \"/api/users/{id}\"}", """
                - transform:
                    request:
                      headers: {remove: [X-Debug], rename: {X-Old: X-New}, replace: {X-A: "v"}, add: {X-Client: "%client_ip%"}, append: {X-Via: strait}}
                      query: {remove: [debug], rename: {q: search}, replace: {limit: "50"}, add: {source: gateway}, append: {tag: x}}
                      path: {template: "/internal/users/{id}"}
                      method: POST
                      body: {maxSize: 64KiB, remove: [/password], rename: {/userName: /username}, replace: {/role: user}, add: {/meta/source: "%route%"}, append: {/tags: gateway}}
                    response:
                      headers: {remove: [Server]}
                      body: {maxSize: 1MiB, overLimit: reject, remove: [/internal], add: {/a~1b/~0c: "1"}}
                """);
        TransformConfig t = (TransformConfig) c.routes().get(0).filters().get(0).config();
        assertThat(t.request().headers().add().get("X-Client").source()).isEqualTo("%client_ip%");
        assertThat(t.request().query().rename()).isEqualTo(Map.of("q", "search"));
        assertThat(t.request().path().template()).isEqualTo("/internal/users/{id}");
        assertThat(t.request().method()).isEqualTo("POST");
        assertThat(t.request().body().maxSize()).isEqualTo(64 * 1024);
        assertThat(t.request().body().overLimit()).isNull();
        assertThat(t.response().body().maxSize()).isEqualTo(1024 * 1024);
        assertThat(t.response().body().overLimit()).isEqualTo(BodyAccess.OverLimit.REJECT);
        TransformFilter f = new TransformFilter(t, "r");
        assertThat(f.bodyAccess()).isEqualTo(new BodyAccess(64 * 1024, BodyAccess.OverLimit.REJECT, 1024 * 1024, BodyAccess.OverLimit.REJECT));
        // defaults: 1 MiB, pass; a heads-only transform reads no body
        TransformConfig d = (TransformConfig) load("{pathPrefix: /}", "- transform: {response: {body: {remove: [/x]}}}")
                .routes().get(0).filters().get(0).config();
        assertThat(d.response().body().maxSize()).isEqualTo(TransformConfig.DEFAULT_MAX_SIZE);
        assertThat(new TransformFilter(d, "r").bodyAccess()).isEqualTo(BodyAccess.response(TransformConfig.DEFAULT_MAX_SIZE, BodyAccess.OverLimit.PASS));
        TransformConfig heads = (TransformConfig) load("{pathPrefix: /}", "- transform: {request: {headers: {add: {X-A: b}}}}")
                .routes().get(0).filters().get(0).config();
        assertThat(new TransformFilter(heads, "r").bodyAccess()).isEqualTo(BodyAccess.NONE);
    }

    @Test
    void jsonPointerErrorsNameTheirPointer() {
        assertThat(errors("- transform: {request: {body: {add: {/a~: x, a: y, /b~2: z, /c/-/d: w, \"\": v}}}}")).containsExactly(
                P + "request.body.add./a~: invalid JSON pointer: '~' at 2 is not ~0 (for ~) or ~1 (for /)",
                P + "request.body.add.a: invalid JSON pointer: it starts with '/' (RFC 6901), e.g. /a",
                P + "request.body.add./b~2: invalid JSON pointer: '~' at 2 is not ~0 (for ~) or ~1 (for /)",
                P + "request.body.add./c/-/d: invalid JSON pointer: '-' (the end of an array) can only be the last token",
                P + "request.body.add.: invalid JSON pointer: the empty pointer names the whole body; name a member, e.g. /user/name");
        assertThat(errors("- transform: {response: {body: {remove: [/x/-], replace: {/y/-: a}, append: {/tags/-: b}, rename: {/a: /a/b}}}}"))
                .containsExactlyInAnyOrder(
                        P + "response.body.remove[0]: '-' names no element yet: only add (and a rename's target) can use it",
                        P + "response.body.replace./y/-: '-' names no element yet: only add (and a rename's target) can use it",
                        P + "response.body.append./tags/-: append adds to the array the pointer names: write /tags",
                        P + "response.body.rename./a: cannot move a value to itself or inside itself (/a/b)");
    }

    @Test
    void aPathTemplateCaptureTheRouteLacksIsAnError() {
        assertThat(errors("- transform: {request: {path: {template: \"/internal/{user}/{id}\"}}}")).containsExactly(
                P + "request.path.template: {user}: the route's pathTemplate has no {user} (it has id)");
        assertThat(errors("{pathPrefix: /users}", "- transform: {request: {path: {template: \"/internal/{id}\"}}}")).containsExactly(
                P + "request.path.template: {id}: this filter's route has no path template captures (match: {pathTemplate: /users/{id}})");
        assertThat(errors("- transform: {request: {path: {template: \"internal/{id\"}}}")).containsExactly(
                P + "request.path.template: must start with '/'");
        assertThat(errors("- transform: {request: {path: {template: \"/a b/{id}\"}}}")).containsExactly(
                P + "request.path.template: a path cannot hold the character U+0020 (at 2): percent-encode it");
    }

    @Test
    void pathRegexErrors() {
        assertThat(errors("- transform: {request: {path: {regex: \"^/api/(\", replacement: /x}}}")).hasSize(1).first().asString()
                .startsWith(P + "request.path.regex: is not a regular expression: ");
        assertThat(errors("- transform: {request: {path: {regex: \"^/api/(.*)$\", replacement: \"/v1/$2\"}}}")).containsExactly(
                P + "request.path.replacement: $2: the regex has 1 group(s)");
        assertThat(errors("- transform: {request: {path: {regex: \"^/api/(.*)$\", replacement: \"/v1/$${rest}\"}}}")).containsExactly(
                P + "request.path.replacement: ${rest}: the regex has no group of that name");
        assertThat(errors("- transform: {request: {path: {regex: \"^/api/(.*)$\", replacement: \"v1/$1\"}}}")).containsExactly(
                P + "request.path.replacement: must start with '/' (it begins the new path)");
        assertThat(errors("- transform: {request: {path: {regex: \"^/api/(.*)$\"}}}")).containsExactly(
                P + "request.path.replacement: is required with regex, e.g. \"/v1/$1\"");
        assertThat(errors("- transform: {request: {path: {regex: \"^/a$\", replacement: /b, template: /c}}}")).containsExactly(
                P + "request.path: give template, or regex with replacement, e.g. {template: \"/internal/users/{id}\"}");
        assertThat(errors("- transform: {request: {path: {regex: \"^/a(.*)$\", replacement: \"/b?x=$1\"}}}")).containsExactly(
                P + "request.path.replacement: a path cannot hold the character U+003F (at 2): percent-encode it");
    }

    @Test
    void headerMethodAndShapeErrors() {
        assertThat(errors("""
                - transform:
                    request:
                      headers: {remove: [Content-Length, X-A, x-a], set: {X-B: c}, add: {"bad name": x, X-C: "%nope%"}}
                      method: HEAD
                      body: {maxSize: 0, overLimit: pass}
                    response:
                      query: {remove: [a]}
                      body: {overLimit: maybe}
                """)).containsExactlyInAnyOrder(
                P + "request.headers.set: the transform filter follows Kong: replace changes what is present, add creates what is"
                        + " absent (to set a header either way, remove it and add it)",
                P + "request.headers.add.X-C: unknown variable %nope%; known: %client_ip%, %request_id%, %route%,"
                        + " %path_param.NAME%, %query.NAME%, %claim.NAME% (%% is a literal %)",
                P + "request.body.overLimit: is for the response: a request body over maxSize is always refused (413)",
                P + "response.query: belongs to the request (a response has only headers and body)",
                P + "response.body.overLimit: unknown value 'maybe'; expected one of reject, pass");
        assertThat(errors("""
                - transform:
                    request:
                      headers: {remove: [Content-Length, X-A, x-a], add: {"bad name": x}}
                      method: HEAD
                      body: {maxSize: 0}
                """)).containsExactlyInAnyOrder(
                P + "request.headers.remove[0]: Content-Length cannot be changed by the transform filter (framing and hop-by-hop"
                        + " headers belong to the proxy)",
                P + "request.headers.remove[2]: is given twice (header names are case-insensitive)",
                P + "request.headers.add.bad name: 'bad name' is not a header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)",
                P + "request.method: a request cannot be made a HEAD (its response or connection is of another kind)",
                P + "request.body.maxSize: must be between 1 byte and 64MiB (was 0)");
        assertThat(errors("- transform: {request: {method: post}}")).containsExactly(
                P + "request.method: 'post' is not a method: upper-case letters, e.g. POST");
        assertThat(errors("- transform: {request: {heders: {add: {X-A: b}}}}")).containsExactly(
                P + "request.heders: unknown field (did you mean 'headers'?)");
        assertThat(errors("- transform: {request: {}}")).containsExactly(P.substring(0, P.length() - 1) + ": " + TransformReader.CHANGES_NOTHING);
        assertThat(errors("- transform: {}")).containsExactly(P.substring(0, P.length() - 1) + ": " + TransformReader.CHANGES_NOTHING);
    }

    @Test
    void aListenersTransformCannotChangeThePathQueryOrRequestBody() {
        try {
            ConfigLoader.parse("""
                    listeners:
                      - name: public
                        address: 127.0.0.1:0
                        filters:
                          - transform: {request: {path: {regex: "^/a", replacement: /b}, headers: {add: {X-A: b}}, query: {add: {a: b}}, body: {remove: [/a]}}}
                    clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                    routes: [{name: r, match: {pathPrefix: /}, cluster: c}]
                    """, "t.yaml", Path.of("."), FilterModule.catalogOf(StandardFilters.factories()));
            throw new AssertionError("loaded");
        } catch (ConfigException e) {
            assertThat(e.errors()).containsExactly("listeners[0].filters[0].transform.request.path: a listener's filters run before"
                    + " routing: rewrite the path in a route's filters",
                    "listeners[0].filters[0].transform.request.query: a listener's filters run before routing: change the query"
                    + " in a route's filters",
                    "listeners[0].filters[0].transform.request.body: a listener's filters do not read request bodies: change them"
                    + " in a route's filters");
        }
    }

    /** The same settings built by code get the reader's errors from the model validator, through {@link TransformConfig#problems()}. */
    @Test
    void aCodeBuiltTransformConfigGetsTheReadersErrors() throws Exception {
        StraitConfig ok = load("{pathPrefix: /}", "- transform: {response: {headers: {remove: [Server]}}}");
        RouteConfig route = ok.routes().get(0);
        var catalog = FilterModule.catalogOf(StandardFilters.factories());
        java.util.function.Function<TransformConfig, List<String>> validate = t -> ConfigValidator.validate(
                new StraitConfig(ok.admin(), ok.listeners(), ok.clusters(), List.of(new RouteConfig(route.name(),
                        route.match(), route.cluster(), null, route.timeout(), null, List.of(new FilterSpec("transform", t, null)),
                        route.retries(), null, false, route.traffic())), ok.observability(), ok.zone(), ok.drainTimeout(), ok.auth(),
                        ok.rateLimits()), catalog);
        var bad = new TransformConfig(new TransformConfig.Request(null, null, null, "TRACE",
                new TransformConfig.Body(10, null, List.of("nope"), Map.of(), Map.of(), Map.of(), Map.of())), null);
        assertThat(validate.apply(bad)).containsExactly(
                P + "request.method: a request cannot be made a TRACE (its response or connection is of another kind)",
                P + "request.body.remove[0]: invalid JSON pointer: it starts with '/' (RFC 6901), e.g. /nope");
        assertThat(validate.apply(new TransformConfig(null, null))).containsExactly(
                P.substring(0, P.length() - 1) + ": " + TransformReader.CHANGES_NOTHING);
        assertThat(validate.apply((TransformConfig) route.filters().get(0).config())).isEmpty();
    }
}
