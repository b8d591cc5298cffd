package io.strait.gateway.jwt;

import static io.strait.gateway.jwt.Tokens.bearer;
import static io.strait.gateway.jwt.Tokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.gateway.auth.AuthOutcome;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The verified-token cache: hits skip the signature check, entries die with the token, the size is bounded. */
class JwtTokenCacheTest {
    static final TestKey KEY = TestKey.ec("ec-cache");
    ScheduledExecutorService scheduler;
    JwksServer server;
    Tokens.MutableClock clock;

    @BeforeEach
    void setUp() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        server = new JwksServer().keys(KEY);
        clock = new Tokens.MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
        server.close();
    }

    JwtAuthenticator authenticator(int cacheSize) throws Exception {
        JwtAuthenticator a = new JwtAuthenticator(Tokens.config(server.uri(), null), HttpClient.newHttpClient(),
                scheduler, Tokens.fastTuning(clock).withTokenCacheSize(cacheSize));
        a.keysLoaded().get(5, TimeUnit.SECONDS);
        return a;
    }

    static AuthOutcome check(JwtAuthenticator a, String token) {
        CompletableFuture<AuthOutcome> f = a.authenticate(bearer(token), null).toCompletableFuture();
        assertThat(f).isDone();
        return f.join();
    }

    @Test
    void repeatedTokenIsACacheHitWithoutASignatureCheck() throws Exception {
        try (JwtAuthenticator a = authenticator(100)) {
            String t = token(KEY, clock.instant());
            AuthOutcome first = check(a, t);
            assertThat(first).isInstanceOf(AuthOutcome.Verified.class);
            assertThat(a.metrics().signatureChecks()).isEqualTo(1);
            for (int i = 0; i < 5; i++) assertThat(check(a, t)).isEqualTo(first);
            assertThat(a.metrics().signatureChecks()).isEqualTo(1);
            assertThat(a.metrics().cacheHits()).isEqualTo(5);
            assertThat(a.metrics().verified()).isEqualTo(6);
            // a different token (even with the same claims' shape) is checked
            assertThat(check(a, token(KEY, clock.instant()))).isInstanceOf(AuthOutcome.Verified.class);
            assertThat(a.metrics().signatureChecks()).isEqualTo(2);
        }
    }

    @Test
    void disabledCacheChecksEveryTime() throws Exception {
        try (JwtAuthenticator a = authenticator(0)) {
            String t = token(KEY, clock.instant());
            check(a, t);
            check(a, t);
            assertThat(a.metrics().signatureChecks()).isEqualTo(2);
            assertThat(a.metrics().cacheHits()).isZero();
        }
    }

    @Test
    void entryExpiresWithTheToken() throws Exception {
        try (JwtAuthenticator a = authenticator(100)) {
            String t = token(KEY, clock.instant(), c -> c.expirationTime(Date.from(clock.instant().plusSeconds(120))));
            assertThat(check(a, t)).isInstanceOf(AuthOutcome.Verified.class);
            clock.advance(Duration.ofSeconds(119));
            assertThat(check(a, t)).isInstanceOf(AuthOutcome.Verified.class);
            assertThat(a.metrics().cacheHits()).isEqualTo(1);
            // past exp but within the 60 s skew: still valid, but no longer from the cache
            clock.advance(Duration.ofSeconds(2));
            assertThat(check(a, t)).isInstanceOf(AuthOutcome.Verified.class);
            assertThat(a.metrics().cacheHits()).isEqualTo(1);
            assertThat(a.metrics().signatureChecks()).isEqualTo(2);
            clock.advance(Duration.ofSeconds(60));
            assertThat(check(a, t)).isEqualTo(new AuthOutcome.Invalid("token expired"));
        }
    }

    @Test
    void cacheIsBounded() throws Exception {
        try (JwtAuthenticator a = authenticator(10)) {
            for (int i = 0; i < 50; i++) {
                assertThat(check(a, token(KEY, clock.instant()))).isInstanceOf(AuthOutcome.Verified.class);
                assertThat(a.cachedTokens()).isLessThanOrEqualTo(10);
            }
        }
    }

    @Test
    void rejectedTokensAreNotCached() throws Exception {
        try (JwtAuthenticator a = authenticator(100)) {
            String wrongIss = token(KEY, clock.instant(), c -> c.issuer("https://other/"));
            check(a, wrongIss);
            check(a, wrongIss);
            assertThat(a.cachedTokens()).isZero();
            assertThat(a.metrics().rejected("wrong issuer")).isEqualTo(2);
            assertThat(a.metrics().signatureChecks()).isEqualTo(2);
        }
    }
}
