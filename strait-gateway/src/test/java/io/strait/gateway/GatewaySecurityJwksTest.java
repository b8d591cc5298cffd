package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.gateway.GatewayUnderTest.Answer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JWKS endpoint misbehaving after the keys were cached (garbage, slow, stopped) must not stop valid
 * tokens; an endpoint never reached answers 503. Each test has its own gateway, since each breaks its
 * issuer. A fetch is forced with a token of an unknown {@code kid} (an on-demand fetch), and once through
 * the background refresh.
 */
class GatewaySecurityJwksTest {
    private static final String CONFIG = """
            auth:
              jwt:
                - {name: main, issuer: "https://issuer.test/", audiences: [api], jwksUri: "${jwks}", jwksTimeout: 1s,
                   jwksRefresh: 10s}
            clusters:
              b: {endpoints: [{address: "${b}"}]}
            routes:
              - {name: api, match: {pathPrefix: /api}, cluster: b, auth: jwt:main}
            """;

    private TestIssuer issuer;
    private GatewayUnderTest gw;

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (issuer != null) issuer.close();
    }

    private void startWithCachedKeys() throws Exception {
        issuer = new TestIssuer();
        gw = GatewayUnderTest.start(CONFIG, Map.of("jwks", issuer.jwksUri()));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bearer(issuer.token()).status() == 200);
    }

    private Answer bearer(String token) {
        return gw.get("/api/x", "Authorization", "Bearer " + token);
    }

    /** A fresh token (never cached as verified) still passes: the cached keys verify it. */
    private void validTokensStillPass() {
        for (int i = 0; i < 3; i++) {
            assertThat(bearer(issuer.token()).upstreamHeaders().path("x-user-id").asText()).isEqualTo("user-1");
        }
    }

    private String unknownKidToken() {
        return issuer.sign("{\"alg\":\"RS256\",\"kid\":\"rotated-" + System.nanoTime() + "\"}",
                TestIssuer.json(TestIssuer.claims()));
    }

    @Test
    void garbageFromTheJwksEndpointKeepsTheCachedKeys() throws Exception {
        startWithCachedKeys();
        int fetches = issuer.requests();
        issuer.serveGarbage();
        String unknown = unknownKidToken();
        bearer(unknown).unauthorized("unknown signing key", unknown);
        assertThat(issuer.requests()).as("the unknown kid made the gateway fetch the (garbage) JWKS").isEqualTo(fetches + 1);
        validTokensStillPass();
    }

    @Test
    void aBackgroundRefreshReturningGarbageKeepsTheCachedKeys() throws Exception {
        startWithCachedKeys();
        int fetches = issuer.requests();
        issuer.serveGarbage();
        // jwksRefresh 10s: the refresh runs at 80% of it
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> issuer.requests() > fetches);
        validTokensStillPass();
    }

    @Test
    void aSlowJwksEndpointDoesNotDelayTokensOfCachedKeys() throws Exception {
        startWithCachedKeys();
        int fetches = issuer.requests();
        issuer.delay(3000); // longer than jwksTimeout (1s)
        String unknown = unknownKidToken();
        int forwardedBefore = gw.backend.requestCount();
        CompletableFuture<Answer> waiting = CompletableFuture.supplyAsync(() -> bearer(unknown));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> issuer.requests() > fetches); // the fetch is in flight
        long start = System.nanoTime();
        validTokensStillPass();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
        Answer w = waiting.get(5, TimeUnit.SECONDS);
        // the three valid tokens above went upstream meanwhile; the waiting request must not have
        new Answer(w.status(), w.headers(), w.body(), gw.backend.requestCount() - forwardedBefore - 3)
                .unauthorized("unknown signing key", unknown);
        validTokensStillPass();
    }

    @Test
    void aStoppedJwksEndpointKeepsTheCachedKeys() throws Exception {
        startWithCachedKeys();
        issuer.stop();
        String unknown = unknownKidToken();
        bearer(unknown).unauthorized("unknown signing key", unknown);
        validTokensStillPass();
    }

    @Test
    void aJwksEndpointNeverReachedAnswers503() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        issuer = new TestIssuer(); // only to sign tokens: its endpoint is not the configured one
        gw = GatewayUnderTest.start(CONFIG, Map.of("jwks", "http://127.0.0.1:" + closedPort + "/jwks.json"));
        for (int i = 0; i < 3; i++) {
            String token = issuer.token();
            bearer(token).unavailable(token);
        }
        assertThat(gw.get("/api/x").unauthorized("missing credentials").status()).isEqualTo(401);
        String forged = issuer.sign("{\"alg\":\"HS256\",\"kid\":\"k1\"}", TestIssuer.json(TestIssuer.claims()));
        bearer(forged).unauthorized("unsupported algorithm", forged); // header checks need no keys
    }
}
