package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.gateway.GatewayUnderTest.Answer;
import io.strait.gateway.apikey.ApiKeys;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import io.strait.proxy.testing.ClientProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Identity headers sent by clients never reach the backend, on routes with and without auth; any-of and
 * all-of policies combining a JWT provider and API keys, with the real authenticators. Requests made with
 * {@code gw.get} run over HTTP/1.1 and HTTP/2; the spoofing tests write raw HTTP/1.1 bytes (repeated
 * names in mixed case, underscores), which an HTTP/2 client cannot send, so they run over HTTP/1.1 only.
 */
@ParameterizedClass
@EnumSource(ClientProtocol.class)
class GatewaySecurityPolicyTest {
    private static final String CONFIG = """
            auth:
              jwt:
                - {name: main, issuer: "https://issuer.test/", audiences: [api], jwksUri: "${jwks}", claimHeaders: {X-Email: email}}
              apiKeys: {store: {type: file, path: "${keys}"}}
              identityHeaders: [X-Internal-Role]
            clusters:
              b: {endpoints: [{address: "${b}"}]}
            routes:
              - {name: open, match: {pathPrefix: /open}, cluster: b}
              - {name: jwt, match: {pathPrefix: /jwt}, cluster: b, auth: jwt:main}
              - {name: key, match: {pathPrefix: /key}, cluster: b, auth: apiKey}
              - {name: any, match: {pathPrefix: /any}, cluster: b, auth: {anyOf: [jwt:main, apiKey]}}
              - {name: all, match: {pathPrefix: /all}, cluster: b, auth: {allOf: [jwt:main, apiKey]}}
            """;
    /** Every identity header, repeated and in mixed case: raw bytes, so that the repeats reach the gateway. */
    private static final String SPOOFED = String.join("\r\n",
            "X-User-ID: mallory", "x-user-id: mallory2", "X-USER-ID: mallory3",
            "X-Tenant-ID: evil-tenant", "x-tenant-id: evil-tenant2", "X-TENANT-ID: evil-tenant3",
            "X-Scopes: admin:write", "x-scopes: admin:all", "X-SCOPES: root",
            "X-API-Key-ID: key_evil", "x-api-key-id: key_evil2", "X-Api-Key-Id: key_evil3",
            "X-Email: m@evil.test", "x-email: m2@evil.test", "X-EMAIL: m3@evil.test",
            "X-Internal-Role: root", "x-internal-role: root2", "X-INTERNAL-ROLE: root3");
    private static final List<String> IDENTITY = List.of("X-User-ID", "X-Tenant-ID", "X-Scopes", "X-API-Key-ID", "X-Email",
            "X-Internal-Role");

    static TestIssuer issuer;
    static GatewayUnderTest gw;
    static IssuedKey key;

    @Parameter
    ClientProtocol protocol;

    @BeforeEach
    void speak() {
        gw.using(protocol);
    }

    /** Skips the HTTP/2 run of a test that writes raw HTTP/1.1 bytes. */
    private void http1Only() {
        assumeTrue(protocol == ClientProtocol.HTTP_1_1, "raw HTTP/1.1 bytes: repeated mixed-case and underscore header names");
    }

    @BeforeAll
    static void start() throws Exception {
        issuer = new TestIssuer();
        Path dir = Files.createTempDirectory("strait-e2e-policy");
        Path keys = dir.resolve("apikeys.json");
        try (FileApiKeyStore store = FileApiKeyStore.open(keys)) {
            key = IssuedKey.issue(store, "beta", null, List.of("orders:read"), List.of(), null, Instant.now());
        }
        gw = GatewayUnderTest.start(CONFIG, Map.of("jwks", issuer.jwksUri(), "keys", keys.toString()), dir);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> gw.get("/jwt/warmup", "Authorization", "Bearer " + issuer.token()).status() == 200);
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        if (issuer != null) issuer.close();
    }

    private static Answer spoofed(String path, String... extraHeaderLines) throws Exception {
        String extra = extraHeaderLines.length == 0 ? "" : "\r\n" + String.join("\r\n", extraHeaderLines);
        return gw.raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + SPOOFED + extra);
    }

    private static void assertNoSpoofedValue(HttpHeaders upstream) {
        for (String name : IDENTITY) {
            for (String v : upstream.getAll(name)) {
                assertThat(v).as(name).doesNotContain("mallory", "evil", "admin:", "root", "key_evil");
            }
        }
    }

    @Test
    void aRouteWithoutAuthForwardsNoneOfTheClientsIdentityHeaders() throws Exception {
        http1Only();
        Answer a = spoofed("/open/x");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.forwarded()).isEqualTo(1);
        HttpHeaders up = gw.lastUpstream().headers();
        for (String name : IDENTITY) assertThat(up.getAll(name)).as(name).isEmpty();
        assertThat(a.body()).doesNotContain("mallory", "evil", "root");
    }

    @Test
    void aRouteWithAJwtForwardsOnlyTheGatewaysIdentityHeaders() throws Exception {
        http1Only();
        String token = issuer.token();
        Answer a = spoofed("/jwt/x", "Authorization: Bearer " + token);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        HttpHeaders up = gw.lastUpstream().headers();
        assertThat(up.getAll("X-User-ID")).containsExactly("user-1");
        assertThat(up.getAll("X-Tenant-ID")).containsExactly("acme");
        assertThat(up.getAll("X-Scopes")).containsExactly("users:read users:write");
        assertThat(up.getAll("X-Email")).containsExactly("u1@acme.test");
        assertThat(up.getAll("X-API-Key-ID")).isEmpty();
        assertThat(up.getAll("X-Internal-Role")).isEmpty();
        assertThat(up.getAll("Authorization")).isEmpty();
        assertNoSpoofedValue(up);
    }

    @Test
    void aRouteWithAnApiKeyForwardsOnlyTheGatewaysIdentityHeaders() throws Exception {
        http1Only();
        Answer a = spoofed("/key/x", "X-API-Key: " + key.key());
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        HttpHeaders up = gw.lastUpstream().headers();
        assertThat(up.getAll("X-API-Key-ID")).containsExactly(key.record().id());
        assertThat(up.getAll("X-Tenant-ID")).containsExactly("beta");
        assertThat(up.getAll("X-Scopes")).containsExactly("orders:read");
        assertThat(up.getAll("X-User-ID")).isEmpty();
        assertThat(up.getAll("X-Email")).isEmpty();
        assertThat(up.getAll("X-API-Key")).isEmpty();
        assertNoSpoofedValue(up);
    }

    /**
     * CGI-style backends (WSGI, Rack, PHP) read X-User-ID and X_User_ID as the same variable (HTTP_X_USER_ID):
     * an underscore variant of an identity header must not reach them either.
     */
    @Test
    void underscoreVariantsOfIdentityHeadersDoNotReachTheBackend() throws Exception {
        http1Only();
        Answer a = gw.raw("GET /key/x HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + key.key()
                + "\r\nX_User_ID: mallory\r\nx_user-id: mallory2\r\nX_Email: m@evil.test\r\nX_Internal_Role: root");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        HttpHeaders up = gw.lastUpstream().headers();
        for (var e : up) {
            String cgi = e.getKey().replace('_', '-');
            boolean underscoreIdentity = e.getKey().contains("_") && IDENTITY.stream().anyMatch(cgi::equalsIgnoreCase);
            assertThat(underscoreIdentity).as("upstream header %s: %s", e.getKey(), e.getValue()).isFalse();
        }
        assertNoSpoofedValue(up);
        assertThat(up.getAll("X-API-Key-ID")).containsExactly(key.record().id());
        assertThat(gw.raw("GET /open/x HTTP/1.1\r\nHost: localhost\r\nX_Trace_Hint: keep").status()).isEqualTo(200);
        assertThat(gw.lastUpstream().headers().get("X_Trace_Hint")).isEqualTo("keep");
    }

    @Test
    void aRefusedRequestWithSpoofedHeadersReachesNothing() throws Exception {
        http1Only();
        spoofed("/jwt/x").unauthorized("missing credentials");
        spoofed("/key/x", "X-API-Key: " + ApiKeys.newKey()).unauthorizedWithKeyChallenge("unknown API key");
    }

    @Test
    void anyOfWithAValidKeyAndABadTokenLetsTheVerifiedKeyWin() {
        String bad = issuer.token(c -> c.put("iss", "https://evil.test/"));
        Answer a = gw.get("/any/x", "X-API-Key", key.key(), "Authorization", "Bearer " + bad);
        JsonNode h = a.upstreamHeaders();
        assertThat(h.path("x-api-key-id").asText()).isEqualTo(key.record().id());
        assertThat(h.path("x-tenant-id").asText()).isEqualTo("beta");
        assertThat(h.has("x-user-id")).isFalse();
        assertThat(h.has("authorization")).as("the rejected token is not forwarded either").isFalse();
        assertThat(h.has("x-api-key")).isFalse();
        assertThat(a.body()).doesNotContain(bad, key.key());
    }

    @Test
    void anyOfWithAValidTokenAndAnUnknownKeyLetsTheVerifiedTokenWin() {
        String unknown = ApiKeys.newKey();
        JsonNode h = gw.get("/any/x", "X-API-Key", unknown, "Authorization", "Bearer " + issuer.token()).upstreamHeaders();
        assertThat(h.path("x-user-id").asText()).isEqualTo("user-1");
        assertThat(h.has("x-api-key-id")).isFalse();
        assertThat(h.has("x-api-key")).isFalse();
    }

    @Test
    void anyOfWithOnlyBadCredentialsIs401NamingTheBadOne() {
        String bad = issuer.token(c -> c.put("aud", "other"));
        gw.get("/any/x", "Authorization", "Bearer " + bad).unauthorizedWithKeyChallenge("wrong audience", bad);
        String unknown = ApiKeys.newKey();
        gw.get("/any/x", "X-API-Key", unknown).unauthorizedWithKeyChallenge("unknown API key", unknown);
        gw.get("/any/x").unauthorizedWithKeyChallenge("missing credentials");
    }

    @Test
    void allOfNeedsBothCredentials() {
        String token = issuer.token();
        gw.get("/all/x", "Authorization", "Bearer " + token).unauthorizedWithKeyChallenge("missing credentials", token);
        gw.get("/all/x", "X-API-Key", key.key()).unauthorizedWithKeyChallenge("missing credentials", key.key());
        String bad = issuer.token(c -> c.put("exp", Instant.now().getEpochSecond() - 3600));
        gw.get("/all/x", "X-API-Key", key.key(), "Authorization", "Bearer " + bad)
                .unauthorizedWithKeyChallenge("token expired", bad, key.key());
        String unknown = ApiKeys.newKey();
        gw.get("/all/x", "X-API-Key", unknown, "Authorization", "Bearer " + token)
                .unauthorizedWithKeyChallenge("unknown API key", unknown, token);

        JsonNode both = gw.get("/all/x", "X-API-Key", key.key(), "Authorization", "Bearer " + token).upstreamHeaders();
        assertThat(both.path("x-user-id").asText()).isEqualTo("user-1");
        assertThat(both.path("x-api-key-id").asText()).isEqualTo(key.record().id());
        assertThat(both.path("x-scopes").asText()).isEqualTo("orders:read users:read users:write");
        assertThat(both.has("authorization")).isFalse();
        assertThat(both.has("x-api-key")).isFalse();
    }
}
