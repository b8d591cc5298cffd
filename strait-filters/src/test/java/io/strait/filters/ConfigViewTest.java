package io.strait.filters;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /config} shows the cors and headers settings as written, and what it shows loads again to the same settings. */
class ConfigViewTest {
    private static final String CONFIG = """
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - name: users
                match: {pathTemplate: "/users/{id}"}
                cluster: c
                filters:
                  - cors: {allowOrigins: ["https://app.example.com", "https://*.example.org"], allowMethods: [GET, POST], allowCredentials: true, maxAge: 10m}
                  - headers: {request: {set: {X-Route: "%route%", X-User: "u-%path_param.id%"}, rename: {X-A: X-B}}, response: {remove: [Server]}}
            """;

    @Test
    void theFiltersShowAsWrittenAndLoadAgain() throws Exception {
        try (TestBackend backend = new TestBackend("b");
                ProxyFixture proxy = ProxyFixture.start(CONFIG, Map.of("port", "" + backend.port()), StandardFilters::factories)) {
            var res = proxy.admin("GET", "/config");
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode filters = Json.parse(res.body()).path("routes").path(0).path("filters");
            JsonNode cors = filters.path(0).path("cors");
            assertThat(cors.path("allowOrigins").toString()).isEqualTo("[\"https://app.example.com\",\"https://*.example.org\"]");
            assertThat(cors.path("maxAge").asText()).isEqualTo("10m");
            JsonNode headers = filters.path(1).path("headers");
            assertThat(headers.path("request").path("set").toString()).isEqualTo("{\"X-Route\":\"%route%\",\"X-User\":\"u-%path_param.id%\"}");
            assertThat(headers.path("request").path("rename").toString()).isEqualTo("{\"X-A\":\"X-B\"}");
            assertThat(headers.path("response").path("remove").toString()).isEqualTo("[\"Server\"]");
            // the route's filters, as shown, load to the same settings
            var catalog = FilterModule.catalogOf(StandardFilters.factories());
            String again = """
                    {"clusters": {"c": {"endpoints": [{"address": "127.0.0.1:1"}]}},
                     "routes": [{"name": "users", "match": {"pathTemplate": "/users/{id}"}, "cluster": "c", "filters": %s}]}
                    """.formatted(filters.toString());
            StraitConfig reloaded = ConfigLoader.parse(again, "again", Path.of("."), catalog);
            StraitConfig original = ConfigLoader.parse(ProxyFixture.substitute(CONFIG, Map.of("port", "1")), "t", Path.of("."), catalog);
            assertThat(reloaded.routes().get(0).filters()).extracting(f -> f.config())
                    .isEqualTo(original.routes().get(0).filters().stream().map(f -> f.config()).toList());
        }
    }
}
