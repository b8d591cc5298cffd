package io.strait.filters.cors;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.filters.StandardFilters;
import io.strait.filters.Wire;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The cors filter through a real proxy and backend, over HTTP/1.1 and HTTP/2: preflights answered at the
 * gateway (never upstream), simple requests with their allow headers on upstream answers and on local
 * replies, patterns, credentials, Vary, and a listener-wide policy that also covers 404s.
 */
class CorsProxyTest {
    private static final String CONFIG = """
            listeners:
              - {name: public, address: 127.0.0.1:0}
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - name: app
                match: {pathPrefix: /api}
                cluster: c
                filters:
                  - cors: {allowOrigins: ["https://app.example.com", "https://*.example.org", "regex:https://pr-[0-9]+\\\\.preview\\\\.dev"],
                           allowMethods: [GET, POST, PUT], allowHeaders: [Content-Type, X-Trace], exposeHeaders: [X-Backend],
                           allowCredentials: true, maxAge: 10m}
              - name: down
                match: {pathPrefix: /down}
                cluster: c
                fault: {abort: {status: 401}}
                filters:
                  - cors: {allowOrigins: ["https://app.example.com"]}
              - name: open
                match: {pathPrefix: /open}
                cluster: c
                filters:
                  - cors: {allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"]}
            """;

    private static final String LISTENER_WIDE = """
            listeners:
              - {name: public, address: 127.0.0.1:0, filters: [{cors: {allowOrigins: ["https://app.example.com"], allowMethods: [GET, DELETE]}}]}
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - {name: app, match: {pathPrefix: /api}, cluster: c}
            """;

    private static ProxyFixture start(String yaml, TestBackend backend) throws Exception {
        return ProxyFixture.start(yaml, Map.of("port", "" + backend.port()), StandardFilters::factories);
    }

    private static Map<String, String> preflight(String origin, String method, String headers) {
        return headers == null ? Map.of("Origin", origin, "Access-Control-Request-Method", method)
                : Map.of("Origin", origin, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", headers);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void anAllowedPreflightIsAnsweredAtTheGatewayWithTheAllowHeaders(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(CONFIG, backend)) {
            var r = wire.send(proxy, "OPTIONS", "/api/users", preflight("https://app.example.com", "PUT", "content-type, x-trace"));
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.body()).isEmpty();
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
            assertThat(r.header("Access-Control-Allow-Credentials")).isEqualTo("true");
            assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("GET, POST, PUT");
            assertThat(r.header("Access-Control-Allow-Headers")).isEqualTo("content-type, x-trace");
            assertThat(r.header("Access-Control-Max-Age")).isEqualTo("600");
            assertThat(r.header("Vary")).isEqualTo("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
            assertThat(r.has("Content-Type")).isFalse();
            assertThat(backend.requestCount()).isZero();
            // the connection still serves (HTTP/1.1: the 204 had no body to confuse the next response)
            assertThat(wire.get(proxy, "/api/x", Map.of()).status()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aPreflightFromAnotherOriginOrForAnotherMethodOrHeaderIsA403(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(CONFIG, backend)) {
            var origin = wire.send(proxy, "OPTIONS", "/api/users", preflight("https://evil.example.net", "GET", null));
            assertThat(origin.status()).isEqualTo(403);
            assertThat(Json.parse(origin.body()).path("error").asText()).isEqualTo("cors_forbidden");
            assertThat(Json.parse(origin.body()).path("message").asText())
                    .isEqualTo("CORS preflight refused: origin 'https://evil.example.net' is not allowed");
            assertThat(origin.has("Access-Control-Allow-Origin")).isFalse();
            assertThat(origin.header("Vary")).contains("Origin");
            var method = wire.send(proxy, "OPTIONS", "/api/users", preflight("https://app.example.com", "DELETE", null));
            assertThat(method.status()).isEqualTo(403);
            assertThat(Json.parse(method.body()).path("message").asText())
                    .isEqualTo("CORS preflight refused: method 'DELETE' is not allowed (allowed: GET, POST, PUT)");
            var header = wire.send(proxy, "OPTIONS", "/api/users", preflight("https://app.example.com", "GET", "X-Secret"));
            assertThat(header.status()).isEqualTo(403);
            assertThat(Json.parse(header.body()).path("message").asText()).contains("header 'X-Secret' is not allowed");
            assertThat(backend.requestCount()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void anAllowedSimpleRequestGetsTheOriginEchoedWithCredentialsExposedHeadersAndVary(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(CONFIG, backend)) {
            var r = wire.get(proxy, "/api/users", Map.of("Origin", "https://app.example.com"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
            assertThat(r.header("Access-Control-Allow-Credentials")).isEqualTo("true");
            assertThat(r.header("Access-Control-Expose-Headers")).isEqualTo("X-Backend");
            assertThat(r.header("Vary")).isEqualTo("Origin");
            assertThat(backend.requestCount()).isEqualTo(1);
            // an OPTIONS without Access-Control-Request-Method is an ordinary request: it goes upstream
            assertThat(wire.send(proxy, "OPTIONS", "/api/users", Map.of("Origin", "https://app.example.com")).status()).isEqualTo(200);
            assertThat(backend.requestCount()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aRefusedOriginPassesWithoutCorsHeadersSoTheBrowserBlocksIt(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(CONFIG, backend)) {
            var r = wire.get(proxy, "/api/users", Map.of("Origin", "https://evil.example.net"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.has("Access-Control-Allow-Origin")).isFalse();
            assertThat(r.has("Access-Control-Allow-Credentials")).isFalse();
            assertThat(r.header("Vary")).isEqualTo("Origin");
            // no Origin at all: the answer still varies on it (a cache must not serve it to a CORS request)
            var none = wire.get(proxy, "/api/users", Map.of());
            assertThat(none.has("Access-Control-Allow-Origin")).isFalse();
            assertThat(none.header("Vary")).isEqualTo("Origin");
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void wildcardSubdomainsAndRegexOriginsMatchAndNothingElse(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(CONFIG, backend)) {
            for (String ok : new String[] {"https://a.example.org", "https://x.y.example.org", "https://pr-42.preview.dev"}) {
                assertThat(wire.get(proxy, "/api", Map.of("Origin", ok)).header("Access-Control-Allow-Origin")).as(ok).isEqualTo(ok);
            }
            for (String no : new String[] {"https://example.org", "http://a.example.org", "https://a.example.org:8443",
                    "https://evilexample.org", "https://pr-42.preview.dev.evil.com", "https://pr-x.preview.dev"}) {
                assertThat(wire.get(proxy, "/api", Map.of("Origin", no)).has("Access-Control-Allow-Origin")).as(no).isFalse();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aLocalReplyOfTheRouteCarriesTheAllowHeadersToo(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(CONFIG, backend)) {
            var r = wire.get(proxy, "/down", Map.of("Origin", "https://app.example.com"));
            assertThat(r.status()).isEqualTo(401);
            assertThat(backend.requestCount()).isZero();
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
            assertThat(r.has("Access-Control-Allow-Credentials")).isFalse();
            assertThat(r.header("Vary")).isEqualTo("Origin");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void everyOriginWithoutCredentialsIsAStarAndAnyMethodOrHeaderIsEchoed(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(CONFIG, backend)) {
            var pre = wire.send(proxy, "OPTIONS", "/open", preflight("https://anyone.test", "PATCH", "X-Anything"));
            assertThat(pre.status()).isEqualTo(204);
            assertThat(pre.header("Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(pre.header("Access-Control-Allow-Methods")).isEqualTo("PATCH");
            assertThat(pre.header("Access-Control-Allow-Headers")).isEqualTo("X-Anything");
            assertThat(pre.has("Access-Control-Allow-Credentials")).isFalse();
            assertThat(pre.has("Access-Control-Max-Age")).isFalse();
            var simple = wire.get(proxy, "/open", Map.of("Origin", "https://anyone.test"));
            assertThat(simple.header("Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(simple.has("Vary")).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aListenerPolicyAnswersPreflightsToAnyPathAndMarksItsOwn404s(Wire wire) throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(LISTENER_WIDE, backend)) {
            var pre = wire.send(proxy, "OPTIONS", "/nowhere", preflight("https://app.example.com", "DELETE", null));
            assertThat(pre.status()).isEqualTo(204);
            assertThat(pre.header("Access-Control-Allow-Methods")).isEqualTo("GET, DELETE");
            var missing = wire.get(proxy, "/nowhere", Map.of("Origin", "https://app.example.com"));
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
            assertThat(missing.header("Vary")).isEqualTo("Origin");
            assertThat(wire.get(proxy, "/api", Map.of("Origin", "https://app.example.com")).header("Access-Control-Allow-Origin"))
                    .isEqualTo("https://app.example.com");
            assertThat(backend.requestCount()).isEqualTo(1);
        }
    }

    @org.junit.jupiter.api.Test
    void aReloadChangesThePolicyAndARefusedOneKeepsTheOld() throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(LISTENER_WIDE, backend)) {
            Map<String, String> vars = Map.of("port", "" + backend.port());
            proxy.writeConfig(LISTENER_WIDE.replace("https://app.example.com", "https://new.example.com"), vars);
            assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
            assertThat(Wire.HTTP1.get(proxy, "/api", Map.of("Origin", "https://new.example.com")).header("Access-Control-Allow-Origin"))
                    .isEqualTo("https://new.example.com");
            assertThat(Wire.HTTP1.get(proxy, "/api", Map.of("Origin", "https://app.example.com")).has("Access-Control-Allow-Origin")).isFalse();
            proxy.writeConfig(LISTENER_WIDE.replace("[\"https://app.example.com\"]", "[\"*\"], allowCredentials: true"), vars);
            var refused = proxy.admin("POST", "/reload");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("listeners[0].filters[0].cors.allowCredentials: cannot be true with allowOrigins \\\"*\\\"");
            assertThat(Wire.HTTP1.get(proxy, "/api", Map.of("Origin", "https://new.example.com")).header("Access-Control-Allow-Origin"))
                    .isEqualTo("https://new.example.com");
        }
    }

    @org.junit.jupiter.api.Test
    void aPreflightsAnswerOnHttp1HasNoBodySoTheNextResponseOnTheConnectionIsItsOwn() throws Exception {
        try (TestBackend backend = new TestBackend("b"); ProxyFixture proxy = start(CONFIG, backend)) {
            String out = proxy.raw("OPTIONS /api/a HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\n"
                    + "Access-Control-Request-Method: GET\r\n\r\n"
                    + "GET /api/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000);
            assertThat(out).startsWith("HTTP/1.1 204 No Content\r\n");
            String preflight = out.substring(0, out.indexOf("\r\n\r\n"));
            assertThat(preflight.toLowerCase()).doesNotContain("content-length").doesNotContain("content-type");
            // right after the 204's head comes the next response
            assertThat(out.substring(out.indexOf("\r\n\r\n") + 4)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("<EOF>");
            assertThat(backend.requestCount()).isEqualTo(1);
        }
    }
}
