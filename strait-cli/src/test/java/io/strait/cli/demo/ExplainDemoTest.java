package io.strait.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.cli.Cli;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strait explain} on the demo's configuration (as {@code strait demo} writes it, with its token and API key)
 * and on the mesh's authorization policy: the route the engine's router picks, why the others do not take the request,
 * the filters in order with what they decide offline, the cluster, and the policy decision for a caller.
 */
class ExplainDemoTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static DemoIssuer issuer;
    static Path config;
    static String token;
    static String apiKey;

    @BeforeAll
    static void writeTheDemosConfig() throws Exception {
        issuer = new DemoIssuer();
        token = issuer.token("demo-user", Demo.TENANT, Demo.SCOPES);
        Path keys = dir.resolve("demo-apikeys.json");
        try (FileApiKeyStore store = FileApiKeyStore.open(keys)) {
            apiKey = IssuedKey.issue(store, Demo.TENANT, "demo", List.of("orders:read"), List.of(), null, Instant.now()).key();
        }
        Map<String, List<Integer>> ports = new LinkedHashMap<>();
        ports.put("users", List.of(1001, 1002, 1003));
        ports.put("orders", List.of(1004, 1005));
        ports.put("products", List.of(1006, 1007, 1008));
        DemoGraphql.writeSchema(dir);
        config = Files.writeString(dir.resolve("demo.yaml"), Demo.config(ports, 8080, 9901, issuer.jwksUri(), keys));
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    static JsonNode json(Cli.Run r) throws Exception {
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    static Cli.Run explain(String... args) {
        List<String> all = new ArrayList<>(List.of("explain", "--config", config.toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void aTokenOnTheUsersRouteShowsTheRouteItsFiltersInOrderAndTheCluster() throws Exception {
        JsonNode j = json(explain("GET", "/api/v1/users/42", "-H", "Authorization: Bearer " + token, "--output", "json"));
        assertThat(j.at("/route/name").asText()).isEqualTo("users");
        List<String> filters = new ArrayList<>();
        j.path("filters").forEach(f -> filters.add(f.path("filter").asText()));
        assertThat(filters).containsExactly("cors", "auth", "rateLimit", "headers", "version");
        JsonNode jwt = j.at("/filters/1/credentials/0");
        assertThat(jwt.path("credential").asText()).isEqualTo("jwt:demo");
        assertThat(jwt.path("verified").asBoolean()).isFalse();
        assertThat(jwt.at("/claims/sub").asText()).isEqualTo("demo-user");
        assertThat(j.at("/filters/1/credentials/1/present").asBoolean()).isFalse();
        assertThat(j.at("/filters/1/verdict").asText()).startsWith("passes if the token's signature verifies");
        assertThat(j.at("/filters/2/policies/0/key/client").asText()).isEqualTo("subject demo-user");
        assertThat(j.at("/filters/2/policies/0/limit").asText()).isEqualTo(Demo.DEMO_LIMIT + " per 10s");
        assertThat(j.at("/filters/4/responseHeaders/Deprecation").asText()).startsWith("@");
        assertThat(j.at("/filters/4/responseHeaders/Sunset").asText()).endsWith("GMT");
        assertThat(j.at("/cluster/name").asText()).isEqualTo("users");
        assertThat(j.at("/cluster/endpoints").size()).isEqualTo(3);
        assertThat(j.at("/route/retries").asText()).isEqualTo("2 attempt(s) on [connect-failure, gateway-error]");
        // and why the others did not take it
        assertThat(j.path("otherRoutes").toString()).contains("path: /api/v1/users/42 is not under /api/v1/orders");
    }

    /** An unsigned token with these claims: explain never checks a signature, only the claims. */
    private static String unsigned(String claimsJson) {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes()) + "." + b64.encodeToString(claimsJson.getBytes()) + ".c2ln";
    }

    @Test
    void aTokensClaimsAreJudgedByTheGatewaysOwnRules() throws Exception {
        long exp = Instant.now().getEpochSecond() + 3600;
        // scp as a space-separated string, as some issuers send it: the gateway grants its scopes
        String good = unsigned("{\"iss\":\"https://demo.strait.local/\",\"aud\":\"strait-demo\",\"sub\":\"u1\",\"exp\":" + exp
                + ",\"scp\":\"users:read\"}");
        JsonNode ok = json(explain("GET", "/api/v1/users/42", "-H", "Authorization: Bearer " + good, "--output", "json"));
        assertThat(ok.at("/filters/1/credentials/0/problem").isMissingNode()).as(ok.toString()).isTrue();
        assertThat(ok.at("/filters/1/verdict").asText()).startsWith("passes if the token's signature verifies");
        // the wrong issuer, and a token without exp: the reasons the gateway gives
        String wrongIssuer = unsigned("{\"iss\":\"https://evil.example/\",\"aud\":\"strait-demo\",\"sub\":\"u1\",\"exp\":" + exp + "}");
        JsonNode bad = json(explain("GET", "/api/v1/users/42", "-H", "Authorization: Bearer " + wrongIssuer, "--output", "json"));
        assertThat(bad.at("/filters/1/credentials/0/problem").asText()).isEqualTo("wrong issuer");
        String noExp = unsigned("{\"iss\":\"https://demo.strait.local/\",\"aud\":\"strait-demo\",\"sub\":\"u1\"}");
        JsonNode missing = json(explain("GET", "/api/v1/users/42", "-H", "Authorization: Bearer " + noExp, "--output", "json"));
        assertThat(missing.at("/filters/1/credentials/0/problem").asText()).isEqualTo("missing exp claim");
    }

    @Test
    void anApiKeyIsLookedUpInTheFileStoreAndItsScopesDecide() throws Exception {
        JsonNode orders = json(explain("GET", "/api/v1/orders", "-H", "X-API-Key: " + apiKey, "-o", "json"));
        assertThat(orders.at("/filters/1/credentials/1/found").asBoolean()).isTrue();
        assertThat(orders.at("/filters/1/verdict").asText()).isEqualTo("passes");
        assertThat(orders.at("/filters/2/policies/0/key/client").asText()).startsWith("key key_");
        JsonNode users = json(explain("GET", "/api/v1/users/1", "-H", "X-API-Key: " + apiKey, "-o", "json"));
        assertThat(users.at("/filters/1/verdict").asText()).isEqualTo("403 insufficient_scope: not granted [users:read]");
        JsonNode unknown = json(explain("GET", "/api/v1/orders", "-H", "X-API-Key: strait_" + "A".repeat(43), "-o", "json"));
        assertThat(unknown.at("/filters/1/verdict").asText()).startsWith("401");
        JsonNode none = json(explain("GET", "/api/v1/orders", "-o", "json"));
        assertThat(none.at("/filters/1/verdict").asText()).isEqualTo("401: none of the credentials is present");
    }

    @Test
    void aHeaderConditionPicksTheCanaryAndTheOtherRouteIsShownAsComingSecond() throws Exception {
        JsonNode j = json(explain("GET", "/api/v1/products/7", "-H", "X-Version: v2", "-o", "json"));
        assertThat(j.at("/route/name").asText()).isEqualTo("products-v2");
        assertThat(j.at("/route/subset/version").asText()).isEqualTo("v2");
        assertThat(j.path("otherRoutes").toString()).contains("matches too, but route 'products-v2' comes first");
        JsonNode plain = json(explain("GET", "/api/v1/products/7", "-o", "json"));
        assertThat(plain.at("/route/name").asText()).isEqualTo("products");
        assertThat(plain.at("/route/split").size()).isEqualTo(2);
        assertThat(plain.path("otherRoutes").toString()).contains("headers: x-version exact 'v2' not met");
        JsonNode post = json(explain("DELETE", "/api/v1/orders/1", "-o", "json"));
        assertThat(post.path("otherRoutes").toString()).contains("method: DELETE is not one of [POST]");
    }

    @Test
    void noRouteIsThe404WithEveryRoutesReason() {
        Cli.Run r = explain("GET", "/nowhere");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("no route matched:", "routes[0] 'users': path: /nowhere is not under /api/v1/users",
                "answer    404 route_not_found: no route for GET /nowhere");
    }

    @Test
    void aPreflightIsAnsweredByTheCorsFilter() throws Exception {
        JsonNode j = json(explain("OPTIONS", "/api/v1/users/42", "-H", "Origin: " + Demo.DEMO_WEB_ORIGIN,
                "-H", "Access-Control-Request-Method: GET", "-o", "json"));
        assertThat(j.at("/filters/0/effect").asText()).startsWith("204");
    }

    @Test
    void theMeshPolicyDecidesForTheSourcePrincipal() throws Exception {
        Path policies = Files.writeString(dir.resolve("orders.yaml"), DemoPolicies.ORDERS);
        Path sidecar = Files.writeString(dir.resolve("sidecar.yaml"), """
                listeners: [{name: inbound, address: 127.0.0.1:15006}]
                clusters: {app: {endpoints: [{address: 127.0.0.1:8080}]}}
                routes:
                  - name: inbound
                    match: {pathPrefix: /}
                    cluster: app
                    filters:
                      - authz: {policies: [%s], namespace: %s, labels: {app: orders}}
                """.formatted(policies.getFileName(), DemoMesh.NAMESPACE));
        String users = "spiffe://cluster.local/ns/default/sa/users";
        String checkout = "spiffe://cluster.local/ns/default/sa/checkout";
        Cli.Run denied = Cli.run("explain", "-c", sidecar.toString(), "POST", "/api/v1/orders", "--source-principal", users);
        assertThat(denied.out()).contains("decision: DENY", "effect: 403 rbac_denied");
        Cli.Run allowed = Cli.run("explain", "-c", sidecar.toString(), "POST", "/api/v1/orders", "--source-principal", checkout);
        assertThat(allowed.out()).contains("decision: ALLOW").doesNotContain("rbac_denied");
    }

    @Test
    void badArgumentsAreOneLineAndExitTwo() {
        Cli.Run r = explain("GET", "/x", "--listener", "nope");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("strait explain: --listener: no listener 'nope' (the file has [public])\n");
        assertThat(explain("GET", "/x", "-H", "no-colon").err()).contains("-H: expected 'Name: value'");
    }
}
