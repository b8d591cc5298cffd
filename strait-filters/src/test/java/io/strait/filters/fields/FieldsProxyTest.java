package io.strait.filters.fields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.filters.JsonBackend;
import io.strait.filters.StandardFilters;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fields filter through a real proxy and a real JSON backend: client selection, allow/deny, and what passes unchanged. */
class FieldsProxyTest {
    static final FilterModule MODULE = StandardFilters::factories;

    private static final String USER = """
            {"id":7,"name":"Ada","password":"x","internal":{"score":3},"address":{"city":"London","zip":"N1"}}""";
    private static final String USERS = "[" + USER + "," + USER.replace("\"id\":7", "\"id\":8") + "]";

    private static final String CONFIG = """
            clusters:
              users: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - name: mobile
                match: {pathPrefix: /mobile}
                cluster: users
                rewrite: {prefix: /}
                filters:
                  - fields: {allow: [id, name, address.city], deny: [password, internal]}
              - name: open
                match: {pathPrefix: /open}
                cluster: users
                rewrite: {prefix: /}
                filters:
                  - fields: {param: only, deny: [password], maxSize: 200}
            """;

    private static JsonBackend backend() throws Exception {
        return new JsonBackend().json("/user", USER).json("/users", USERS).json("/big", "[" + (USER + ",").repeat(10) + USER + "]")
                .answer("/text", new JsonBackend.Answer(200, "text/plain", "id,name,password", 0))
                .answer("/missing", new JsonBackend.Answer(404, "application/json", "{\"error\":\"not_found\",\"password\":\"kept\"}", 0));
    }

    @Test
    void theClientSelectsWithinTheAllowListAndTheParameterNeverGoesUpstream() throws Exception {
        try (JsonBackend backend = backend(); ProxyFixture proxy = ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port()), MODULE)) {
            var all = proxy.get("/mobile/user");
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(all.body()).isEqualTo("{\"id\":7,\"name\":\"Ada\",\"address\":{\"city\":\"London\"}}");
            assertThat(all.headers().firstValue("content-length")).hasValue("" + all.body().length());
            var some = proxy.get("/mobile/user?fields=id,address.city,password&x=1");
            assertThat(some.body()).isEqualTo("{\"id\":7,\"address\":{\"city\":\"London\"}}");
            assertThat(backend.seen().getLast().target()).isEqualTo("/user?x=1");
            var list = proxy.get("/mobile/users?fields=name");
            assertThat(list.body()).isEqualTo("[{\"name\":\"Ada\"},{\"name\":\"Ada\"}]");
            assertThat(backend.seen().getLast().target()).isEqualTo("/users");
            var grouped = proxy.get("/open/user?only=address(city),id");
            assertThat(grouped.body()).isEqualTo("{\"id\":7,\"address\":{\"city\":\"London\"}}");
        }
    }

    @Test
    void aClientThatAcceptsGzipStillGetsShapedAnswersTheServiceIsAskedForIdentity() throws Exception {
        // found running docs/guides/bff.md by hand: curl --compressed made the service gzip, and the password went out
        try (JsonBackend backend = backend(); ProxyFixture proxy = ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port()), MODULE)) {
            var shaped = proxy.send(java.net.http.HttpRequest.newBuilder(proxy.uri("/open/user")).header("Accept-Encoding", "gzip, br").build());
            assertThat(shaped.body()).doesNotContain("password");
            assertThat(backend.seen().getLast().headers().get("Accept-Encoding")).isEqualTo("identity");
            proxy.send(java.net.http.HttpRequest.newBuilder(proxy.uri("/mobile/user?fields=id")).header("Accept-Encoding", "gzip").build());
            assertThat(backend.seen().getLast().headers().get("Accept-Encoding")).isEqualTo("identity");
        }
    }

    @Test
    void denyAppliesAlwaysAndAnythingElsePassesUnchanged() throws Exception {
        try (JsonBackend backend = backend(); ProxyFixture proxy = ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port()), MODULE)) {
            var open = Json.parse(proxy.get("/open/user").body());
            assertThat(open.has("password")).isFalse();
            assertThat(open.path("internal").path("score").asInt()).isEqualTo(3);
            // not JSON, not 2xx, over maxSize: as the upstream sent them
            assertThat(proxy.get("/open/text?only=id").body()).isEqualTo("id,name,password");
            var missing = proxy.get("/open/missing?only=id");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("\"password\":\"kept\"");
            assertThat(proxy.get("/open/big?only=id").body()).contains("\"password\":\"x\"");
        }
    }

    @Test
    void aMalformedSelectionIsA400JsonError() throws Exception {
        try (JsonBackend backend = backend(); ProxyFixture proxy = ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port()), MODULE)) {
            int before = backend.seen().size();
            var bad = proxy.get("/mobile/user?fields=id,,name");
            assertThat(bad.statusCode()).isEqualTo(400);
            var body = Json.parse(bad.body());
            assertThat(body.path("error").asText()).isEqualTo("invalid_field_selection");
            assertThat(body.path("message").asText()).isEqualTo("fields: expected a field name, found ',' at position 3 of 'id,,name'");
            assertThat(body.path("requestId").asText()).isNotEmpty();
            assertThat(proxy.get("/mobile/user?fields=address(city").statusCode()).isEqualTo(400);
            assertThat(backend.seen()).hasSize(before);
        }
    }

    @Test
    void settingsErrorsNameTheirPath() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - {name: r, match: {pathPrefix: /}, cluster: c, filters: [{fields: {allow: ["a..b"], maxSize: 0, colour: red}}]}
                  - {name: s, match: {pathPrefix: /s}, cluster: c, filters: [{fields: {clientSelection: false}}]}
                """, "t.yaml", Path.of("."), MODULE.catalog()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "routes[0].filters[0].fields.colour: unknown field",
                        "routes[0].filters[0].fields.maxSize: must be greater than 0",
                        "routes[0].filters[0].fields.allow[0]: expected a field name, found '.' at position 2 of 'a..b'",
                        "routes[1].filters[0].fields: selects nothing: set clientSelection: true, allow or deny"));
        assertThatThrownBy(() -> ConfigLoader.parse("""
                listeners:
                  - {name: public, address: 127.0.0.1:8080, filters: [{fields: {deny: [password]}}, {fields: {clientSelection: true}}]}
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - {name: r, match: {pathPrefix: /}, cluster: c}
                """, "t.yaml", Path.of("."), MODULE.catalog()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "listeners[0].filters[1].fields.clientSelection: is for routes (a listener's filters run before the query"
                                + " is read); use allow and deny here"));
        assertThat(List.of()).isEmpty();
    }
}
