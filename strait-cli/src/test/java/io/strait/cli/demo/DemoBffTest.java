package io.strait.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's mobile and web BFFs over the same services: field selection, aggregated home pages, the demo credentials. */
class DemoBffTest {
    @TempDir
    Path dir;

    @Test
    void mobileAndWebBackendsServeTheSameServicesShapedForTheirClients() throws Exception {
        try (Demo demo = Demo.start(dir, 0, 0)) {
            String gw = "http://127.0.0.1:" + demo.gateway().port("public");
            String key = java.nio.file.Files.readAllLines(dir.resolve("demo.env")).stream()
                    .filter(l -> l.startsWith("STRAIT_DEMO_API_KEY=")).findFirst().orElseThrow().substring("STRAIT_DEMO_API_KEY=".length());
            HttpClient client = HttpClient.newHttpClient();

            HttpResponse<String> picked = get(client, gw + "/mobile/users/42?fields=service,data.name", key);
            assertThat(picked.statusCode()).as(picked.body()).isEqualTo(200);
            assertThat(picked.body()).isEqualTo("{\"service\":\"users\",\"data\":{\"name\":\"user 42\"}}");
            JsonNode whole = Json.parse(get(client, gw + "/mobile/users/42", key).body());
            assertThat(whole.has("forwardedClientCert")).isFalse(); // denied
            assertThat(whole.has("instance")).isFalse(); // not allowed for mobile
            assertThat(whole.path("data").path("id").asInt()).isEqualTo(42);

            HttpResponse<String> mobileHome = get(client, gw + "/mobile/home/42", key);
            assertThat(mobileHome.statusCode()).as(mobileHome.body()).isEqualTo(200);
            // the route's rate-limit headers, as on a proxied answer (found running docs/guides/bff.md by hand: none)
            assertThat(mobileHome.headers().firstValue("X-RateLimit-Limit")).hasValue(String.valueOf(DemoBff.MOBILE_LIMIT));
            JsonNode m = Json.parse(mobileHome.body());
            assertThat(m.path("user").path("data").path("id").asInt()).isEqualTo(42);
            assertThat(m.path("orders").path("service").asText()).isEqualTo("orders");
            assertThat(m.path("orders").path("path").asText()).isEqualTo("/api/v1/orders");
            // the caller's identity and request id reach every call
            String id = mobileHome.headers().firstValue("x-request-id").orElseThrow();
            assertThat(m.path("user").path("requestId").asText()).isEqualTo(id);
            assertThat(m.path("orders").path("apiKeyId").asText()).startsWith("key_");

            HttpResponse<String> webHome = get(client, gw + "/web/home/42", key);
            assertThat(webHome.statusCode()).as(webHome.body()).isEqualTo(200);
            JsonNode w = Json.parse(webHome.body());
            assertThat(w.path("recommended").path("service").asText()).isEqualTo("products");
            assertThat(w.path("user").path("instance").asText()).startsWith("users-"); // whole documents on the web
            assertThat(w.has("_partial")).isFalse();

            HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create(gw + "/web/home/42")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(demo.banner()).contains("/mobile/users/42?fields=data.name").contains("/web/home/42");
        }
    }

    private static HttpResponse<String> get(HttpClient client, String uri, String key) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(uri)).header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofString());
    }
}
