package io.strait.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.config.load.ConfigLoader;
import io.strait.proxy.testing.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo as a user meets it: services behind a gateway, a config file that validates, demo.env with URLs. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void demoServesThreeServicesThroughTheGateway() throws Exception {
        try (Demo demo = Demo.start(dir, 0, 0)) {
            ConfigLoader.load(dir.resolve("demo.yaml"), io.strait.gateway.GatewayFilters.CATALOG); // the written config is valid
            Properties env = new Properties();
            try (var r = Files.newBufferedReader(dir.resolve("demo.env"))) {
                env.load(r);
            }
            String gw = env.getProperty("STRAIT_GATEWAY_URL");
            assertThat(gw).startsWith("http://127.0.0.1:");
            assertThat(env.getProperty("STRAIT_ADMIN_URL")).startsWith("http://127.0.0.1:");
            String token = env.getProperty("STRAIT_DEMO_TOKEN");
            String key = env.getProperty("STRAIT_DEMO_API_KEY");
            assertThat(token).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
            assertThat(key).startsWith("strait_");
            assertThat(Files.readString(dir.resolve("demo-apikeys.json"))).doesNotContain(key); // only its hash
            HttpClient client = HttpClient.newHttpClient();
            Set<String> instances = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/users/42"))
                                .header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
                JsonNode body = Json.parse(res.body());
                assertThat(body.get("user").asText()).isEqualTo("demo-user");
                assertThat(body.get("tenant").asText()).isEqualTo("demo");
                assertThat(body.get("service").asText()).isEqualTo("users");
                assertThat(body.get("data").get("id").asInt()).isEqualTo(42);
                assertThat(body.get("requestId").asText()).isEqualTo(res.headers().firstValue("x-request-id").orElseThrow());
                instances.add(body.get("instance").asText());
            }
            assertThat(instances).hasSize(3); // round-robin over the three users instances
            for (String svc : new String[] {"orders", "products"}) {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/" + svc))
                                .header("X-API-Key", key).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
                JsonNode body = Json.parse(res.body());
                assertThat(body.get("service").asText()).isEqualTo(svc);
                assertThat(body.get("apiKeyId").asText()).startsWith("key_");
                assertThat(body.get("tenant").asText()).isEqualTo("demo");
            }
            HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/users/42"))
                            .header("Origin", Demo.DEMO_WEB_ORIGIN).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("www-authenticate").orElseThrow()).startsWith("Bearer ");
            // the route's filters: cors before auth (a browser's preflight has no credentials), headers last
            assertThat(anonymous.headers().firstValue("access-control-allow-origin")).hasValue(Demo.DEMO_WEB_ORIGIN);
            HttpResponse<String> preflight = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/users/42"))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .header("Origin", Demo.DEMO_WEB_ORIGIN)
                            .header("Access-Control-Request-Method", "GET")
                            .header("Access-Control-Request-Headers", "authorization").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue(Demo.DEMO_WEB_ORIGIN);
            assertThat(preflight.headers().firstValue("access-control-allow-headers").orElseThrow().toLowerCase())
                    .contains("authorization");
            HttpResponse<String> served = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/users/7"))
                            .header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(served.headers().firstValue("x-served-by")).hasValue("strait");
            // the trace of a call: the gateway's spans and the users sidecar's, together at the control plane
            String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
            assertThat(client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/users/8")).header("Authorization", "Bearer " + token)
                    .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> trace = client.send(HttpRequest.newBuilder(URI.create(demo.mesh().adminUrl() + "/traces/" + traceId)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(trace.statusCode()).isEqualTo(200);
                assertThat(Json.parse(trace.body()).path("spans").findValuesAsText("service")).contains("strait", "users");
            });
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create(gw + "/nowhere")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(Json.parse(missing.body()).get("error").asText()).isEqualTo("route_not_found");
            assertThat(demo.banner()).contains(gw + "/api/v1/users/42");
            // the banner's curl loop: the key has used 1 of its 10 per 10 s on rate-limited routes, so 9 more pass, then 429
            int ok = 0;
            HttpResponse<String> last = null;
            for (int i = 0; i < 12; i++) {
                last = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/orders")).header("X-API-Key", key).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (last.statusCode() == 200) ok++;
                else assertThat(last.statusCode()).isEqualTo(429);
            }
            assertThat(ok).isEqualTo(Demo.DEMO_LIMIT - 1);
            assertThat(Json.parse(last.body()).get("error").asText()).isEqualTo("rate_limited");
            assertThat(last.headers().firstValue("retry-after")).isPresent();
            assertThat(last.headers().firstValue("x-ratelimit-limit")).contains(Integer.toString(Demo.DEMO_LIMIT));
            assertThat(demo.banner()).contains("429");
            // the canary: products v2 gets about 10% of the calls, and every call that asks for it
            int v2 = 0;
            for (int i = 0; i < 300; i++) {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/products"))
                        .header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
                String version = Json.parse(res.body()).get("version").asText();
                assertThat(res.headers().firstValue("x-service-version")).contains(version);
                if (version.equals("v2")) v2++;
            }
            assertThat(v2).isBetween(8, 60); // 30 expected, sd 5.2
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/products/7"))
                        .header("X-API-Key", key).header("X-Version", "v2").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(Json.parse(res.body()).get("version").asText()).isEqualTo("v2");
                assertThat(Json.parse(res.body()).get("instance").asText()).isEqualTo("products-3");
            }
            assertThat(demo.banner()).contains("X-Version: v2");
            // the users API runs v1 and v2 side by side: v1 announces its deprecation, its sunset a year ahead, and v2
            HttpResponse<String> v1 = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/users"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(v1.statusCode()).as(v1.body()).isEqualTo(200);
            long deprecated = Long.parseLong(v1.headers().firstValue("deprecation").orElseThrow().substring(1));
            assertThat(deprecated).isLessThan(java.time.Instant.now().getEpochSecond());
            java.time.Instant sunset = java.time.ZonedDateTime.parse(v1.headers().firstValue("sunset").orElseThrow(),
                    java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            assertThat(sunset).isBetween(java.time.Instant.now().plus(java.time.Duration.ofDays(364)),
                    java.time.Instant.now().plus(java.time.Duration.ofDays(366)));
            assertThat(v1.headers().firstValue("link").orElseThrow()).contains("</api/v2/users>; rel=\"successor-version\"",
                    "rel=\"deprecation\"", "rel=\"sunset\"");
            HttpResponse<String> usersV2 = client.send(HttpRequest.newBuilder(URI.create(gw + "/api/v2/users/42"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(usersV2.statusCode()).as(usersV2.body()).isEqualTo(200);
            assertThat(Json.parse(usersV2.body()).get("data").get("name").get("family").asText()).isEqualTo("42");
            assertThat(usersV2.headers().firstValue("deprecation")).isEmpty();
            assertThat(demo.banner()).contains("/api/v1/users   # v1 is deprecated");
        }
    }

    @Test
    void generatedConfigRunsTheUsersApiV1AndV2SideBySide() throws Exception {
        java.time.Instant started = java.time.Instant.parse("2026-12-05T10:00:00.123Z");
        String yaml = Demo.config(Map.of("users", java.util.List.of(1001)), 8080, 9901,
                "http://127.0.0.1:1/.well-known/jwks.json", Path.of("/tmp/keys.json"), started);
        assertThat(yaml).contains("deprecated: 2026-11-05T10:00:00Z", "sunset: 2027-12-05T10:00:00Z", "successor: v2",
                "pathPrefix: /api/v2/users", "- version: {set: users, name: v1}", "- version: {set: users, name: v2}");
        var config = io.strait.config.load.ConfigLoader.parse(yaml, "demo.yaml", Path.of("/tmp"), io.strait.gateway.GatewayFilters.CATALOG);
        assertThat(config.versionSets().get("users").version("v1").successor()).isEqualTo("v2");
        assertThat(Demo.config(Map.of("orders", java.util.List.of(1003)), 8080, 9901,
                "http://127.0.0.1:1/.well-known/jwks.json", Path.of("/tmp/keys.json"))).doesNotContain("versionSets");
    }

    @Test
    void generatedConfigNamesEveryService() {
        String yaml = Demo.config(Map.of("users", java.util.List.of(1001, 1002)), 8080, 9901,
                "http://127.0.0.1:1/.well-known/jwks.json", Path.of("/tmp/keys.json"));
        assertThat(yaml).contains("pathPrefix: /api/v1/users").contains("127.0.0.1:1002").contains("healthCheck");
        // the gateway reaches the services' sidecars over mutual TLS, expecting each service's SPIFFE ID
        assertThat(yaml).contains("verifySubjectAltName: [\"spiffe://cluster.local/ns/default/sa/users\"]")
                .contains("sni: users.default.svc.cluster.local");
        String orders = Demo.config(Map.of("orders", java.util.List.of(1003)), 8080, 9901,
                "http://127.0.0.1:1/.well-known/jwks.json", Path.of("/tmp/keys.json"));
        assertThat(orders).contains("name: orders-write", "methods: [POST]", "scopes: [orders:write]");
    }
}
