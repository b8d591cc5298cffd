package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import io.strait.gateway.GatewayUnderTest.Answer;
import io.strait.proxy.testing.ClientProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * JWT authentication end to end: the real gateway filters and JWT authenticator, keys from a real JWKS
 * endpoint on loopback, a real backend. Every refused request must reach nothing upstream and never echo
 * the token. Requests made with {@code gw.get} run over HTTP/1.1 and HTTP/2; the tests that write raw HTTP/1.1
 * bytes (a head of megabytes, repeated Authorization fields) run over HTTP/1.1 only.
 */
@ParameterizedClass
@EnumSource(ClientProtocol.class)
class GatewaySecurityJwtTest {
    static final String CONFIG = """
            auth:
              jwt:
                - {name: main, issuer: "https://issuer.test/", audiences: [api], jwksUri: "${jwks}", jwksTimeout: 1s,
                   claimHeaders: {X-Email: email}}
            clusters:
              b: {endpoints: [{address: "${b}"}]}
            routes:
              - {name: admin, match: {pathPrefix: /admin}, cluster: b, auth: {anyOf: [jwt:main], scopes: [admin:write]}}
              - {name: api, match: {pathPrefix: /api}, cluster: b, auth: jwt:main}
              - name: claims
                match: {pathPrefix: /claims}
                cluster: b
                filters:
                  - auth: jwt:main
                  - headers: {request: {set: {X-Sub: "%claim.sub%", X-Aud: "%claim.aud%", X-Exp: "%claim.exp%", X-Scope: "%claim.scope%"}}}
            """;

    static TestIssuer issuer;
    static GatewayUnderTest gw;

    @Parameter
    ClientProtocol protocol;

    @BeforeEach
    void speak() {
        gw.using(protocol);
    }

    /** Skips the HTTP/2 run of a test that writes raw HTTP/1.1 bytes. */
    private void http1Only(String why) {
        assumeTrue(protocol == ClientProtocol.HTTP_1_1, why);
    }

    @BeforeAll
    static void start() throws Exception {
        issuer = new TestIssuer();
        gw = GatewayUnderTest.start(CONFIG, Map.of("jwks", issuer.jwksUri()));
        // the keys load in the background: wait until a valid token passes
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> gw.get("/api/warmup", "Authorization", "Bearer " + issuer.token()).status() == 200);
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        if (issuer != null) issuer.close();
    }

    private static Answer bearer(String token) {
        return gw.get("/api/x", "Authorization", "Bearer " + token);
    }

    @Test
    void aValidTokenReachesTheBackendWithTheIdentityAndWithoutTheToken() {
        String token = issuer.token();
        Answer a = bearer(token);
        JsonNode h = a.upstreamHeaders();
        assertThat(h.path("x-user-id").asText()).isEqualTo("user-1");
        assertThat(h.path("x-tenant-id").asText()).isEqualTo("acme");
        assertThat(h.path("x-scopes").asText()).isEqualTo("users:read users:write");
        assertThat(h.path("x-email").asText()).isEqualTo("u1@acme.test");
        assertThat(h.has("authorization")).isFalse();
        assertThat(gw.lastUpstream().headers().contains("Authorization")).isFalse();
        assertThat(a.body()).doesNotContain(token);
    }

    @Test
    void laterFiltersReadTheVerifiedTokensClaims() {
        Answer a = gw.get("/claims/x", "Authorization", "Bearer " + issuer.token(), "X-Sub", "forged");
        assertThat(a.status()).isEqualTo(200);
        JsonNode h = a.upstreamHeaders();
        assertThat(h.path("x-sub").asText()).isEqualTo("user-1");
        assertThat(h.path("x-aud").asText()).isEqualTo("api");
        assertThat(h.path("x-exp").asText()).matches("[0-9]{10}");
        // without a token the route answers 401 before the headers filter runs
        assertThat(gw.get("/claims/x", "X-Sub", "forged").status()).isEqualTo(401);
    }

    @Test
    void tokenChecksAndJwksFetchesShowInMetrics() {
        String token = issuer.token();
        bearer(token);
        bearer(token); // a cache hit
        bearer(token + "x");
        String m = gw.proxy.admin("GET", "/metrics").body();
        assertThat(metric(m, "strait_jwt_tokens_total{provider=\"main\",result=\"verified\"}")).isGreaterThanOrEqualTo(2);
        assertThat(metric(m, "strait_jwt_tokens_total{provider=\"main\",result=\"rejected\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metric(m, "strait_jwt_token_cache_hits_total{provider=\"main\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metric(m, "strait_jwt_jwks_fetches_total{provider=\"main\",result=\"success\"}")).isGreaterThanOrEqualTo(1);
    }

    private static double metric(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
        }
        throw new AssertionError("no " + series + " in /metrics");
    }

    @Test
    void algNoneIsRefused() {
        String payload = TestIssuer.b64(TestIssuer.json(TestIssuer.claims()));
        String unsigned = TestIssuer.b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".";
        bearer(unsigned).unauthorized("unsupported algorithm", payload);
        // "none" with the kid of a real key and a signature part left in: still refused
        String withSig = TestIssuer.b64("{\"alg\":\"none\",\"kid\":\"k1\"}") + "." + payload + "."
                + issuer.token().split("\\.")[2];
        bearer(withSig).unauthorized("malformed token", payload);
        String noneUpper = TestIssuer.b64("{\"alg\":\"NONE\",\"kid\":\"k1\"}") + "." + payload + ".";
        assertThat(bearer(noneUpper).refused(401, "unauthorized", payload).status()).isEqualTo(401);
    }

    @Test
    void hs256SignedWithThePublicKeyAsHmacSecretIsRefused() throws Exception {
        byte[] der = issuer.key.toRSAPublicKey().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        byte[] jwkJson = issuer.key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        for (byte[] secret : List.of(pem.getBytes(StandardCharsets.US_ASCII), der, jwkJson)) {
            String input = TestIssuer.b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}") + "."
                    + TestIssuer.b64(TestIssuer.json(TestIssuer.claims()));
            Base64URL mac = new MACSigner(secret).sign(new JWSHeader(JWSAlgorithm.HS256),
                    input.getBytes(StandardCharsets.US_ASCII));
            String forged = input + "." + mac;
            bearer(forged).unauthorized("unsupported algorithm", forged);
        }
    }

    @Test
    void aKidThatIsAPathOrAUrlIsRefused() {
        int fetches = issuer.requests();
        for (String kid : List.of("../../etc/passwd", "/etc/passwd", "https://evil.test/jwks.json", "..\\\\win.ini")) {
            String token = issuer.sign("{\"alg\":\"RS256\",\"kid\":\"" + kid + "\"}", TestIssuer.json(TestIssuer.claims()));
            bearer(token).unauthorized("invalid key id", token);
        }
        assertThat(issuer.requests()).as("a hostile kid never makes the gateway fetch anything").isEqualTo(fetches);
    }

    @Test
    void anUnknownKidIsRefused() {
        String token = issuer.sign("{\"alg\":\"RS256\",\"kid\":\"k2\"}", TestIssuer.json(TestIssuer.claims()));
        bearer(token).unauthorized("unknown signing key", token);
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String[] parts = issuer.token().split("\\.");
        String evil = TestIssuer.b64(TestIssuer.json(Map.of("iss", TestIssuer.ISSUER, "aud", "api", "sub", "admin",
                "exp", Instant.now().getEpochSecond() + 300, "scope", "admin:write")));
        String token = parts[0] + "." + evil + "." + parts[2];
        bearer(token).unauthorized("invalid signature", token);
        assertThat(gw.get("/admin", "Authorization", "Bearer " + token).unauthorized("invalid signature").status())
                .isEqualTo(401);
    }

    @Test
    void aTamperedSignatureIsRefused() {
        String[] parts = issuer.token().split("\\.");
        char[] sig = parts[2].toCharArray();
        sig[10] = sig[10] == 'A' ? 'B' : 'A';
        String token = parts[0] + "." + parts[1] + "." + new String(sig);
        bearer(token).unauthorized("invalid signature", token);
        String truncated = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 100);
        bearer(truncated).unauthorized("invalid signature", truncated);
    }

    @Test
    void expiredAndNotYetValidTokensAreRefused() {
        long now = Instant.now().getEpochSecond();
        String expired = issuer.token(c -> {
            c.put("iat", now - 7200);
            c.put("exp", now - 3600);
        });
        bearer(expired).unauthorized("token expired", expired);
        String early = issuer.token(c -> c.put("nbf", now + 3600));
        bearer(early).unauthorized("token not yet valid", early);
    }

    @Test
    void wrongIssuerAndWrongAudienceAreRefused() {
        String iss = issuer.token(c -> c.put("iss", "https://evil.test/"));
        bearer(iss).unauthorized("wrong issuer", iss);
        String issSlash = issuer.token(c -> c.put("iss", "https://issuer.test"));
        bearer(issSlash).unauthorized("wrong issuer", issSlash);
        String aud = issuer.token(c -> c.put("aud", List.of("other")));
        bearer(aud).unauthorized("wrong audience", aud);
        String noAud = issuer.token(c -> c.remove("aud"));
        bearer(noAud).unauthorized("wrong audience", noAud);
    }

    @Test
    void aTokenOfMegabytesIsStoppedByTheHeaderLimitBeforeAuth() throws Exception {
        http1Only("raw HTTP/1.1 bytes: a request head of megabytes");
        String filler = "A".repeat(2 * 1024 * 1024);
        byte[] request = ("GET /api/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer x." + filler + ".y\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        Answer a = gw.rawConcurrently(request);
        assertThat(a.status()).as(a.body()).isEqualTo(431);
        assertThat(a.forwarded()).isZero();
        assertThat(a.body()).doesNotContain("AAAAAAAAAAAAAAAA");
    }

    @Test
    void aTokenOver8KiBButUnderTheHeaderLimitIs401() {
        String big = issuer.token(c -> c.put("padding", "p".repeat(10 * 1024))); // validly signed, ~14 KiB
        assertThat(big.length()).isBetween(8 * 1024 + 1, 30 * 1024);
        bearer(big).unauthorized("token too large", big);
    }

    @Test
    void malformedBase64AndMalformedJsonAreRefused() {
        String valid = issuer.token();
        String[] parts = valid.split("\\.");
        for (String bad : List.of(parts[0] + "." + parts[1] + "!." + parts[2], "not-a-jwt", parts[0] + "." + parts[1],
                parts[0] + "=." + parts[1] + "." + parts[2], parts[0] + ".." + parts[2])) {
            bearer(bad).unauthorized("malformed token", bad);
        }
        String badHeader = TestIssuer.b64("{\"alg\":\"RS256\",\"kid\":") + "." + parts[1] + "." + parts[2];
        bearer(badHeader).unauthorized("malformed token", badHeader);
        // correctly signed, but the payload is not JSON
        String badPayload = issuer.sign("{\"alg\":\"RS256\",\"kid\":\"k1\"}", "{\"sub\":\"user-1\",");
        bearer(badPayload).unauthorized("malformed token", badPayload);
        String arrayPayload = issuer.sign("{\"alg\":\"RS256\",\"kid\":\"k1\"}", "[1,2,3]");
        bearer(arrayPayload).unauthorized("malformed token", arrayPayload);
    }

    @Test
    void twoAuthorizationHeadersAreRefused() throws Exception {
        http1Only("raw HTTP/1.1 bytes: two Authorization fields, one in lower case");
        String good = issuer.token();
        Answer a = gw.raw("GET /api/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + good
                + "\r\nAuthorization: Bearer " + good);
        a.unauthorized("multiple Authorization headers", good);
        Answer mixed = gw.raw("GET /api/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + good
                + "\r\nauthorization: Basic dXNlcjpwYXNz");
        mixed.unauthorized("multiple Authorization headers", good);
    }

    @Test
    void aTokenWithoutTheRoutesScopesIs403() {
        String token = issuer.token();
        Answer a = gw.get("/admin/users", "Authorization", "Bearer " + token).refused(403, "insufficient_scope", token);
        assertThat(a.all("www-authenticate")).containsExactly("Bearer realm=\"strait\", error=\"insufficient_scope\","
                + " error_description=\"missing required scope\", scope=\"admin:write\"");
        String admin = issuer.token(c -> c.put("scope", "users:read admin:write"));
        assertThat(gw.get("/admin/users", "Authorization", "Bearer " + admin).upstreamHeaders().path("x-scopes").asText())
                .isEqualTo("admin:write users:read");
        String scp = issuer.token(c -> {
            c.remove("scope");
            c.put("scp", List.of("admin:write"));
        });
        assertThat(gw.get("/admin/users", "Authorization", "Bearer " + scp).status()).isEqualTo(200);
    }

    @Test
    void noTokenAndOtherSchemesAre401MissingCredentials() {
        gw.get("/api/x").unauthorized("missing credentials");
        gw.get("/api/x", "Authorization", "Basic dXNlcjpwYXNz").unauthorized("missing credentials", "dXNlcjpwYXNz");
        gw.get("/api/x", "Authorization", "Bearer").unauthorized("malformed token");
    }
}
