package io.strait.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.config.load.ConfigLoader;
import io.strait.proxy.testing.Json;
import org.junit.jupiter.api.Test;

class ConfigViewTest {
    @Test
    void authSettingsShowButPasswordsInUrisDoNot() throws Exception {
        var config = ConfigLoader.parse("""
                auth:
                  jwt:
                    - {name: main, issuer: "https://issuer.test/", jwksUri: "https://user:hunter2@idp.test/jwks.json", forwardToken: true}
                  apiKeys: {header: X-Key, store: {type: redis, uri: "redis://:s3cret-pw@127.0.0.1:6379/0"}}
                routes:
                  - {name: r, cluster: c, auth: {anyOf: [jwt:main, apiKey], scopes: [a]}}
                clusters:
                  c: {endpoints: [{address: "127.0.0.1:1"}]}
                """, "test.yaml");
        String json = ConfigView.toJson(config);
        assertThat(json).doesNotContain("hunter2", "s3cret-pw");
        JsonNode auth = Json.parse(json).path("auth");
        assertThat(auth.path("apiKeys").path("header").asText()).isEqualTo("X-Key");
        assertThat(auth.path("apiKeys").path("store").path("uri").asText()).isEqualTo("redis://:***@127.0.0.1:6379/0");
        assertThat(auth.path("jwt").get(0).path("forwardToken").asBoolean()).isTrue();
        assertThat(auth.path("jwt").get(0).path("jwksUri").asText()).isEqualTo("https://user:***@idp.test/jwks.json");
        assertThat(Json.parse(json).path("routes").get(0).path("auth").path("credentials").toString()).contains("jwt:main", "apiKey");
    }

    @Test
    void rateLimitSettingsShowButTheRedisPasswordDoesNot() throws Exception {
        var config = ConfigLoader.parse("""
                rateLimits:
                  store: {type: hybrid, uri: "rediss://default:s3cret-rl@cache.internal:6380/1", keyPrefix: "gw:"}
                  policies:
                    quota: {limit: 100, window: 1d, burst: 10, key: [tenant, "header:X-Team"], plans: {gold: {limit: 1000}}}
                routes:
                  - {name: r, cluster: c, rateLimit: quota}
                clusters:
                  c: {endpoints: [{address: "127.0.0.1:1"}]}
                """, "test.yaml");
        String json = ConfigView.toJson(config);
        assertThat(json).doesNotContain("s3cret-rl");
        JsonNode rl = Json.parse(json).path("rateLimits");
        assertThat(rl.path("store").path("uri").asText()).isEqualTo("rediss://default:***@cache.internal:6380/1");
        assertThat(rl.path("store").path("type").asText()).isEqualTo("hybrid");
        assertThat(rl.path("store").path("keyPrefix").asText()).isEqualTo("gw:");
        JsonNode quota = rl.path("policies").path("quota");
        assertThat(quota.path("limit").asLong()).isEqualTo(100);
        assertThat(quota.path("window").asText()).isEqualTo("24h");
        assertThat(quota.path("plans").path("gold").path("limit").asLong()).isEqualTo(1000);
        assertThat(quota.path("key").toString()).isEqualTo("[\"tenant\",\"header:X-Team\"]"); // as written
        assertThat(Json.parse(json).path("routes").get(0).path("rateLimit").toString()).isEqualTo("[\"quota\"]");
    }
}
