package io.strait.filters.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.filters.JsonBackend;
import io.strait.filters.StandardFilters;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.LeakWatch;
import io.strait.proxy.testing.ProxyFixture;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Aggregation through a real proxy and real backends: calls in parallel with the caller's id and identity,
 * nested and merged answers, one backend slow (its timeout), one failing, all failing, writes refused, and
 * the config errors with their paths.
 */
class AggregateProxyTest {
    static final FilterModule MODULE = StandardFilters::factories;

    private static final String CONFIG = """
            clusters:
              users: {endpoints: [{address: "127.0.0.1:${users}"}]}
              orders: {endpoints: [{address: "127.0.0.1:${orders}"}]}
            routes:
              - name: home
                match: {pathTemplate: "/home/{userId}"}
                timeout: 5s
                aggregate:
                  timeout: 500ms
                  calls:
                    user: {cluster: users, path: "/users/{userId}"}
                    orders: {cluster: orders, path: /orders, query: {user: "{userId}", via: "%route%", page: "%query.page%"}}
              - name: flat
                match: {pathTemplate: "/flat/{userId}", methods: [GET]}
                aggregate:
                  merge: merged
                  calls:
                    user: {cluster: users, path: "/users/{userId}"}
                    stats: {cluster: orders, path: /stats}
                    list: {cluster: orders, path: /orders}
            """;

    private static Map<String, String> vars(JsonBackend users, JsonBackend orders) {
        return Map.of("users", "" + users.port(), "orders", "" + orders.port());
    }

    private static JsonBackend users() throws Exception {
        return new JsonBackend().json("/users/7", "{\"id\":7,\"name\":\"Ada\",\"total\":1}");
    }

    private static JsonBackend orders() throws Exception {
        return new JsonBackend().json("/orders", "[{\"id\":1},{\"id\":2}]").json("/stats", "{\"total\":2,\"open\":1}");
    }

    @Test
    void callsRunInParallelWithTheCallersIdentityAndNestUnderTheirKeys() throws Exception {
        try (JsonBackend users = users(); JsonBackend orders = orders();
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(users, orders), MODULE)) {
            var res = proxy.send(HttpRequest.newBuilder(proxy.uri("/home/7")).header("X-User-ID", "u-7").build());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(res.headers().firstValue("X-Strait-Partial")).isEmpty();
            assertThat(res.body()).isEqualTo("{\"user\":{\"id\":7,\"name\":\"Ada\",\"total\":1},\"orders\":[{\"id\":1},{\"id\":2}]}");
            String id = res.headers().firstValue("X-Request-Id").orElseThrow();
            JsonBackend.Seen call = orders.seen().getLast();
            assertThat(call.method()).isEqualTo("GET");
            assertThat(call.target()).isEqualTo("/orders?user=7&via=home");
            assertThat(call.headers().get("X-Request-Id")).isEqualTo(id);
            assertThat(call.headers().get("X-User-ID")).isEqualTo("u-7");
            assertThat(users.seen().getLast().headers().get("X-Request-Id")).isEqualTo(id);
            // HEAD: the same answer's length, no body
            var head = proxy.send(HttpRequest.newBuilder(proxy.uri("/home/7")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("content-length")).hasValue("" + res.body().length());
        }
    }

    @Test
    void aQueryParameterWhoseVariablesHaveNoValueIsNotSent() throws Exception {
        // found running docs/guides/bff.md by hand: `page: "%query.page%"` without ?page= went out as `page=`
        try (JsonBackend users = users(); JsonBackend orders = orders();
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(users, orders), MODULE)) {
            assertThat(proxy.get("/home/7").statusCode()).isEqualTo(200);
            assertThat(orders.seen().getLast().target()).isEqualTo("/orders?user=7&via=home");
            assertThat(proxy.get("/home/7?page=2").statusCode()).isEqualTo(200);
            assertThat(orders.seen().getLast().target()).isEqualTo("/orders?user=7&via=home&page=2");
        }
    }

    @Test
    void mergedAnswersPutObjectsFieldsAtTheTopLaterCallsWinning() throws Exception {
        try (JsonBackend users = users(); JsonBackend orders = orders();
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(users, orders), MODULE)) {
            var res = proxy.get("/flat/7");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo("{\"id\":7,\"name\":\"Ada\",\"total\":2,\"open\":1,\"list\":[{\"id\":1},{\"id\":2}]}");
        }
    }

    @Test
    void aSlowCallTimesOutAndAFailingOneIsMarkedTheRestIsStillServed() throws Exception {
        try (JsonBackend users = users(); JsonBackend orders = orders();
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(users, orders), MODULE)) {
            orders.answer("/orders", new JsonBackend.Answer(200, "application/json", "[]", 3000));
            var slow = proxy.get("/home/7");
            assertThat(slow.statusCode()).isEqualTo(200);
            assertThat(slow.headers().firstValue("X-Strait-Partial")).hasValue("orders");
            var body = Json.parse(slow.body());
            assertThat(body.path("user").path("name").asText()).isEqualTo("Ada");
            assertThat(body.get("orders").isNull()).isTrue();
            assertThat(body.path("_partial").path("orders").path("status").asInt()).isEqualTo(504);
            assertThat(body.path("_partial").path("orders").path("error").asText()).isEqualTo("upstream_timeout");

            orders.answer("/orders", new JsonBackend.Answer(503, "application/json", "{\"error\":\"down\"}", 0));
            var failing = Json.parse(proxy.get("/home/7").body());
            assertThat(failing.path("_partial").path("orders").path("status").asInt()).isEqualTo(503);
            assertThat(failing.path("_partial").path("orders").path("error").asText()).isEqualTo("upstream_status");

            orders.answer("/orders", new JsonBackend.Answer(200, "text/html", "<html>", 0));
            var notJson = Json.parse(proxy.get("/home/7").body());
            assertThat(notJson.path("_partial").path("orders").path("error").asText()).isEqualTo("invalid_json");
        }
    }

    @Test
    void onlyWhenEveryCallFailsIsTheAnswerA502() throws Exception {
        try (LeakWatch leaks = new LeakWatch(); JsonBackend users = users(); JsonBackend orders = orders();
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(users, orders), MODULE)) {
            users.answer("/users/7", new JsonBackend.Answer(500, "application/json", "{}", 0));
            orders.answer("/orders", new JsonBackend.Answer(200, "application/json", "[]", 3000));
            var res = proxy.get("/home/7");
            assertThat(res.statusCode()).isEqualTo(502);
            var body = Json.parse(res.body());
            assertThat(body.path("error").asText()).isEqualTo("aggregate_failed");
            assertThat(body.path("message").asText())
                    .isEqualTo("route home: every call failed (user: upstream_status 500, orders: upstream_timeout)");
            assertThat(body.path("requestId").asText()).isNotEmpty();
            assertThat(leaks.leaks()).isEmpty();
        }
    }

    @Test
    void writesAreNeverFannedOut() throws Exception {
        try (JsonBackend users = users(); JsonBackend orders = orders();
                ProxyFixture proxy = ProxyFixture.start(CONFIG, vars(users, orders), MODULE)) {
            var res = proxy.send(HttpRequest.newBuilder(proxy.uri("/home/7")).POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertThat(res.statusCode()).isEqualTo(405);
            assertThat(res.headers().firstValue("Allow")).hasValue("GET, HEAD");
            assertThat(Json.parse(res.body()).path("error").asText()).isEqualTo("method_not_allowed");
            assertThat(users.seen()).isEmpty();
            assertThat(orders.seen()).isEmpty();
        }
    }

    @Test
    void configErrorsNameTheirExactPath() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusters: {users: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - {name: a, match: {path: /a}}
                  - name: b
                    match: {pathTemplate: "/b/{id}", methods: [GET, POST]}
                    aggregate:
                      merge: deep
                      calls:
                        user: {cluster: users, path: "/users/{userId}"}
                        who: {cluster: users, path: "/x/%nope%"}
                """, "t.yaml", Path.of("."), MODULE.catalog()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "routes[0].cluster: required (or a filter that answers every request, e.g. aggregate or graphql)",
                        "routes[1].aggregate.merge: unknown value 'deep'; expected nested or merged",
                        "routes[1].aggregate.calls.user.path: {userId}: the route's template has no {userId} (it has id)",
                        "routes[1].aggregate.calls.who.path: unknown variable %nope%; known: %client_ip%, %request_id%, %route%,"
                                + " %path_param.NAME%, %query.NAME%, %claim.NAME% (%% is a literal %)",
                        "routes[1].match.methods: an aggregate route serves GET and HEAD only (writes are never fanned out); found POST"));
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusters: {users: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - name: home
                    match: {path: /home}
                    aggregate: {calls: {user: {cluster: userz, path: /u}, me: {cluster: users, path: /me}}}
                """, "t.yaml", Path.of("."), MODULE.catalog()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "routes[0].aggregate.calls.user.cluster: unknown cluster 'userz' (did you mean 'users'?)"));
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusters: {users: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - {name: home, match: {path: /home}, timeout: 1s, aggregate: {timeout: 1s, calls: {me: {cluster: users, path: /me}}}}
                """, "t.yaml", Path.of("."), MODULE.catalog()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "routes[0].aggregate.timeout: must be less than the route's timeout (1000ms), which bounds the whole answer"));
        // found running docs/guides/bff.md by hand: a deny list before an aggregate did nothing (the password went out)
        assertThatThrownBy(() -> ConfigLoader.parse("""
                clusters: {users: {endpoints: [{address: "127.0.0.1:1"}]}}
                routes:
                  - name: home
                    match: {path: /home}
                    filters:
                      - fields: {deny: [user.password]}
                      - transform: {response: {headers: {remove: [Server]}}}
                      - transform: {response: {body: {remove: [/user/password]}}}
                    aggregate: {calls: {user: {cluster: users, path: /me}}}
                """, "t.yaml", Path.of("."), MODULE.catalog()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "routes[0].filters[0].fields: shapes the bodies of upstream responses, and this route has none: its"
                                + " aggregate answers every request itself (its answer passes no body filter)",
                        "routes[0].filters[2].transform: shapes the bodies of upstream responses, and this route has none: its"
                                + " aggregate answers every request itself (its answer passes no body filter)"));
    }
}
