package io.strait.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.config.load.ConfigLoader;
import io.strait.proxy.testing.Json;
import org.junit.jupiter.api.Test;

class ConfigViewTest {
    @Test
    void valuesFromReferencesShowAsWrittenNeverResolved() throws Exception {
        var env = java.util.Map.of("ISSUER", "https://issuer.test/", "REDIS_PASSWORD", "s3cret-env", "CLIENT_ID", "api-42");
        var config = ConfigLoader.parse("""
                auth:
                  jwt:
                    - {name: main, issuer: "${ISSUER}", audiences: ["${CLIENT_ID}"], jwksUri: "${ISSUER}jwks.json"}
                rateLimits:
                  store: {type: redis, uri: "redis://:${REDIS_PASSWORD}@127.0.0.1:6379"}
                routes:
                  - {name: r, cluster: c, match: {pathPrefix: "/$${literal}"}}
                clusters:
                  c: {endpoints: [{address: "127.0.0.1:1"}]}
                """, "test.yaml", java.nio.file.Path.of("."), io.strait.config.load.FilterCatalog.CORE, env::get);
        String json = ConfigView.toJson(config);
        assertThat(json).doesNotContain("s3cret-env", "https://issuer.test/", "api-42", "references");
        JsonNode root = Json.parse(json);
        JsonNode jwt = root.path("auth").path("jwt").get(0);
        assertThat(jwt.path("issuer").asText()).isEqualTo("${ISSUER}");
        assertThat(jwt.path("audiences").get(0).asText()).isEqualTo("${CLIENT_ID}");
        assertThat(jwt.path("jwksUri").asText()).isEqualTo("${ISSUER}jwks.json");
        assertThat(root.path("rateLimits").path("store").path("uri").asText()).isEqualTo("redis://:***@127.0.0.1:6379");
        assertThat(root.path("routes").get(0).path("match").path("path").asText()).isEqualTo("/$${literal}");
    }

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
        assertThat(Json.parse(json).path("routes").get(0).path("filters").get(0).path("auth").path("credentials").toString()).contains("jwt:main", "apiKey");
    }

    @Test
    void otlpHeaderNamesShowButTheirValuesDoNot() throws Exception {
        var config = ConfigLoader.parse("""
                observability:
                  tracing: {otlpEndpoint: "https://otlp.example.com", headers: {x-honeycomb-team: hc-secret-123, Authorization: "Bearer abc.def"}}
                """, "test.yaml");
        String json = ConfigView.toJson(config);
        assertThat(json).doesNotContain("hc-secret-123", "abc.def");
        JsonNode tracing = Json.parse(json).path("observability").path("tracing");
        assertThat(tracing.path("headers").path("x-honeycomb-team").asText()).isEqualTo("***");
        assertThat(tracing.path("headers").path("Authorization").asText()).isEqualTo("***");
        assertThat(tracing.path("otlpEndpoint").asText()).isEqualTo("https://otlp.example.com");
        assertThat(tracing.path("recentTraces").asInt()).isEqualTo(100);
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
        assertThat(Json.parse(json).path("routes").get(0).path("filters").get(0).path("rateLimit").toString()).isEqualTo("[\"quota\"]");
    }

    @Test
    void resilienceAndTrafficSettingsShowAsWrittenInAStableOrder() throws Exception {
        var config = ConfigLoader.parse("""
                clusters:
                  users:
                    endpoints:
                      - {address: "127.0.0.1:1", labels: {zone: a, version: v1}}
                      - {address: "127.0.0.1:2", labels: {version: v2}}
                    circuitBreaker: {maxRequests: 100, failureRate: {thresholdPercent: 40, window: 1m}}
                    outlierDetection: {consecutive5xxErrors: 3, baseEjectionTime: 1m}
                  shadow: {endpoints: [{address: "127.0.0.1:3"}]}
                routes:
                  - name: r
                    cluster: users
                    match: {pathPrefix: /, methods: [POST, GET, DELETE], cookies: [{name: ab, exact: b}]}
                    timeout: 2s
                    idleTimeout: 30s
                    timeoutHeader: true
                    retries: {attempts: 3, retryOn: [reset, 503, 5xx, 429], perTryTimeout: 500ms, budget: {percent: 25}}
                    split: [{subset: {version: v1, zone: a}, weight: 90}, {subset: {version: v2}, weight: 10}]
                    stickyOn: {cookie: uid}
                    mirror: {cluster: shadow, percent: 0.5}
                    fault: {abort: {status: 503, percent: 5}}
                """, "test.yaml");
        JsonNode c = Json.parse(ConfigView.toJson(config));
        JsonNode route = c.path("routes").get(0);
        assertThat(route.path("match").path("methods").toString()).isEqualTo("[\"DELETE\",\"GET\",\"POST\"]");
        assertThat(route.path("match").path("cookies").toString()).isEqualTo("[{\"name\":\"ab\",\"op\":\"exact\",\"value\":\"b\"}]");
        assertThat(route.path("idleTimeout").asText()).isEqualTo("30s");
        assertThat(route.path("timeoutHeader").asBoolean()).isTrue();
        JsonNode retries = route.path("retries");
        assertThat(retries.path("attempts").asInt()).isEqualTo(3);
        assertThat(retries.path("retryOn").toString()).isEqualTo("[\"five-xx\",\"reset\"]"); // declaration order
        assertThat(retries.path("statusCodes").toString()).isEqualTo("[429,503]");
        assertThat(retries.path("perTryTimeout").asText()).isEqualTo("500ms");
        assertThat(retries.path("backoffBase").asText()).isEqualTo("25ms");
        assertThat(retries.path("budgetPercent").asInt()).isEqualTo(25);
        JsonNode traffic = route.path("traffic");
        assertThat(traffic.path("split").toString()).isEqualTo(
                "[{\"subset\":{\"version\":\"v1\",\"zone\":\"a\"},\"weight\":90},{\"subset\":{\"version\":\"v2\"},\"weight\":10}]");
        assertThat(traffic.path("stickyOn").path("cookie").asText()).isEqualTo("uid");
        assertThat(traffic.path("mirror").path("percent").asDouble()).isEqualTo(0.5);
        assertThat(traffic.path("fault").path("abortStatus").asInt()).isEqualTo(503);
        assertThat(traffic.path("fault").path("delay").isNull()).isTrue();
        JsonNode users = c.path("clusters").path("users");
        assertThat(users.path("endpoints").get(0).path("labels").toString()).isEqualTo("{\"version\":\"v1\",\"zone\":\"a\"}");
        assertThat(users.path("circuitBreaker").path("maxRequests").asInt()).isEqualTo(100);
        assertThat(users.path("circuitBreaker").path("maxConnections").asInt()).isZero();
        assertThat(users.path("circuitBreaker").path("failureRate").path("window").asText()).isEqualTo("1m");
        assertThat(users.path("outlierDetection").path("baseEjectionTime").asText()).isEqualTo("1m");
        assertThat(users.path("outlierDetection").path("maxEjectionPercent").asInt()).isEqualTo(10);
        assertThat(c.path("clusters").path("shadow").path("circuitBreaker").isNull()).isTrue();
        assertThat(c.path("clusters").fieldNames()).toIterable().containsExactly("users", "shadow"); // file order
    }
}
