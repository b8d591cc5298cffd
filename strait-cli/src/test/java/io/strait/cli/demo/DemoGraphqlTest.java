package io.strait.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's {@code POST /graphql}: users, orders and products composed, with the demo key or token, through the mesh. */
class DemoGraphqlTest {
    @TempDir
    Path dir;

    @Test
    void ordersWithTheirUsersAndProductsInOneRequest() throws Exception {
        try (Demo demo = Demo.start(dir, 0, 0)) {
            Properties env = new Properties();
            try (var r = Files.newBufferedReader(dir.resolve("demo.env"))) {
                env.load(r);
            }
            String gw = env.getProperty("STRAIT_GATEWAY_URL");
            HttpClient client = HttpClient.newHttpClient();
            String query = "{\"query\":\"{ orders { id total user { name } product { name price } } user(id: 42) { name } }\"}";
            HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(gw + "/graphql"))
                    .header("X-API-Key", env.getProperty("STRAIT_DEMO_API_KEY")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(query)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode body = Json.parse(res.body());
            assertThat(body.has("errors")).as(res.body()).isFalse();
            JsonNode orders = body.get("data").get("orders");
            assertThat(orders).hasSize(2);
            assertThat(orders.get(0).get("user").get("name").asText()).isEqualTo("user 1");
            assertThat(orders.get(1).get("product").get("name").asText()).isEqualTo("widget 8");
            assertThat(orders.get(1).get("product").get("price").asDouble()).isEqualTo(3.25);
            assertThat(body.get("data").get("user").get("name").asText()).isEqualTo("user 42");

            HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(URI.create(gw + "/graphql"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(query)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);

            HttpResponse<String> withToken = client.send(HttpRequest.newBuilder(URI.create(gw + "/graphql?query="
                    + java.net.URLEncoder.encode("{ product(id: 7) { name } }", java.nio.charset.StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + env.getProperty("STRAIT_DEMO_TOKEN")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(withToken.body()).isEqualTo("{\"data\":{\"product\":{\"name\":\"widget 7\"}}}");
        }
    }
}
