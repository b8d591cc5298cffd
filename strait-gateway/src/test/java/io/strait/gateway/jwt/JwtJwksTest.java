package io.strait.gateway.jwt;

import static io.strait.gateway.jwt.Tokens.bearer;
import static io.strait.gateway.jwt.Tokens.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.JWKSet;
import io.strait.gateway.auth.AuthOutcome;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key loading: fetch failures, stale-while-error, rate-limited refetch on unknown kid, rotation, file reload. */
class JwtJwksTest {
    static final TestKey A = TestKey.rsa("key-a");
    static final TestKey B = TestKey.ec("key-b");
    static final TestKey C = TestKey.ed25519("key-c");
    /** Short refresh so background refreshes happen within a test (the loader's 10 s minimum is a config rule). */
    static final Duration FAST_REFRESH = Duration.ofMillis(200);

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    ScheduledExecutorService scheduler;
    JwksServer server;
    final List<JwtAuthenticator> toClose = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        scheduler = Executors.newScheduledThreadPool(2);
        server = new JwksServer();
    }

    @AfterEach
    void tearDown() {
        toClose.forEach(JwtAuthenticator::close);
        scheduler.shutdownNow();
        server.close();
    }

    JwtAuthenticator http(Duration refresh) {
        JwtAuthenticator a = new JwtAuthenticator(Tokens.config(server.uri(), null,
                List.of("RS256", "ES256", "EdDSA"), refresh), HTTP, scheduler, Tokens.fastTuning(Clock.systemUTC()));
        toClose.add(a);
        return a;
    }

    static AuthOutcome now(JwtAuthenticator a, String token) {
        CompletableFuture<AuthOutcome> f = a.authenticate(bearer(token), null).toCompletableFuture();
        assertThat(f).as("answered without waiting").isDone();
        return f.join();
    }

    static AuthOutcome eventually(JwtAuthenticator a, String token) throws Exception {
        return a.authenticate(bearer(token), null).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void noKeysEverLoadedIsUnavailable() throws Exception {
        server.status(500);
        JwtAuthenticator a = http(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.metrics().jwksFetchFailures() >= 1);
        assertThat(eventually(a, token(A, Instant.now()))).isEqualTo(new AuthOutcome.Unavailable("signing keys unavailable"));
        assertThat(a.metrics().unavailable()).isPositive();
        // retried with backoff in the background: once the endpoint heals, keys arrive without any request
        server.keys(A);
        a.keysLoaded().get(5, TimeUnit.SECONDS);
        assertThat(now(a, token(A, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class);
    }

    @Test
    void unreachableEndpointAndMissingFileAreUnavailable(@TempDir Path dir) throws Exception {
        server.stop();
        JwtAuthenticator a = http(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.metrics().jwksFetchFailures() >= 1);
        assertThat(eventually(a, token(A, Instant.now()))).isInstanceOf(AuthOutcome.Unavailable.class);

        JwtAuthenticator f = new JwtAuthenticator(Tokens.config(null, dir.resolve("absent.json")), HTTP, scheduler,
                Tokens.fastTuning(Clock.systemUTC()));
        toClose.add(f);
        await().atMost(Duration.ofSeconds(5)).until(() -> f.metrics().jwksFetchFailures() >= 1);
        assertThat(eventually(f, token(A, Instant.now()))).isInstanceOf(AuthOutcome.Unavailable.class);
    }

    @Test
    void garbageStatusAndOversizedJwksAreFailures() throws Exception {
        for (Runnable breakIt : List.<Runnable>of(() -> server.body("<html>not json</html>"),
                () -> server.body("{\"keys\":[]}"), () -> server.body("{\"keys\":\"nope\"}"), () -> server.status(404),
                () -> server.body(bigJwks()))) {
            breakIt.run();
            JwtAuthenticator a = http(Duration.ofMinutes(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.metrics().jwksFetchFailures() >= 1);
            assertThat(eventually(a, token(A, Instant.now()))).isInstanceOf(AuthOutcome.Unavailable.class);
            a.close();
        }
    }

    @Test
    void cachedKeysKeepWorkingWhileTheEndpointIsGarbageDownOrSlow() throws Exception {
        server.keys(A, B);
        JwtAuthenticator a = http(FAST_REFRESH);
        a.keysLoaded().get(5, TimeUnit.SECONDS);
        int fetches = server.requests();

        server.body("{garbage");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.metrics().jwksFetchFailures() >= 2);
        assertThat(now(a, token(A, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class);

        server.keys(A, B).status(503);
        long failures = a.metrics().jwksFetchFailures();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.metrics().jwksFetchFailures() >= failures + 2);
        assertThat(now(a, token(B, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class);

        server.keys(A, B).delay(2_000); // jwksTimeout is 500 ms
        long failures2 = a.metrics().jwksFetchFailures();
        await().atMost(Duration.ofSeconds(8)).until(() -> a.metrics().jwksFetchFailures() >= failures2 + 1);
        long start = System.nanoTime();
        assertThat(now(a, token(A, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(server.requests()).isGreaterThan(fetches + 3);
    }

    @Test
    void cachedKeysKeepWorkingWhenTheServerIsStopped() throws Exception {
        server.keys(A);
        JwtAuthenticator a = http(FAST_REFRESH);
        a.keysLoaded().get(5, TimeUnit.SECONDS);
        server.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.metrics().jwksFetchFailures() >= 2);
        assertThat(now(a, token(A, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class);
    }

    @Test
    void failuresBackOff() throws Exception {
        server.status(500);
        JwtAuthenticator a = http(Duration.ofMinutes(5));
        // base 50 ms doubling to at most 200 ms: about 50+100+200+200+... -> far fewer than 1 s / 50 ms = 20 attempts
        // creates the observation window on purpose: the attempts counted are those 1.2 s allow
        Thread.sleep(1_200);
        long attempts = a.metrics().jwksFetches();
        assertThat(attempts).isBetween(3L, 12L);
    }

    @Test
    void refreshesAheadOfExpiryInTheBackground() throws Exception {
        server.keys(A);
        JwtAuthenticator a = http(Duration.ofMillis(500));
        a.keysLoaded().get(5, TimeUnit.SECONDS);
        // refreshes at 80% of 500 ms: a rotation is seen without any request asking for it
        server.keys(A, B);
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(now(a, token(B, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class));
        assertThat(server.requests()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void unknownKidTriggersOneRateLimitedRefetchThenSucceedsAfterRotation() throws Exception {
        server.keys(A);
        JwtAuthenticator a = http(Duration.ofMinutes(5));
        a.keysLoaded().get(5, TimeUnit.SECONDS);
        int before = server.requests();

        // first unknown kid: one refetch (the JWKS does not have it yet)
        assertThat(eventually(a, token(B, Instant.now()))).isEqualTo(new AuthOutcome.Invalid("unknown signing key"));
        assertThat(server.requests()).isEqualTo(before + 1);
        // within the rate limit: answered at once, no fetch
        assertThat(now(a, token(B, Instant.now()))).isEqualTo(new AuthOutcome.Invalid("unknown signing key"));
        assertThat(now(a, token(C, Instant.now()))).isEqualTo(new AuthOutcome.Invalid("unknown signing key"));
        assertThat(server.requests()).isEqualTo(before + 1);

        server.keys(A, B); // the IdP rotates
        Thread.sleep(450); // creates the condition: past the 400 ms refetch interval (a refetch within it is refused)
        assertThat(eventually(a, token(B, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class);
        assertThat(server.requests()).isEqualTo(before + 2);
        // now cached: immediate
        assertThat(now(a, token(B, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class);
    }

    @Test
    void concurrentCallersShareOneInFlightFetch() throws Exception {
        server.keys(A);
        JwtAuthenticator a = http(Duration.ofMinutes(5));
        a.keysLoaded().get(5, TimeUnit.SECONDS);
        server.keys(A, B).delay(300);
        int before = server.requests();
        List<CompletableFuture<AuthOutcome>> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(a.authenticate(bearer(token(B, Instant.now())), null).toCompletableFuture());
        }
        CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(waiting).allSatisfy(f -> assertThat(f.join()).isInstanceOf(AuthOutcome.Verified.class));
        assertThat(server.requests()).isEqualTo(before + 1);
    }

    @Test
    void firstRequestsWaitForTheInitialFetchInsteadOfFailing() throws Exception {
        server.keys(A).delay(300);
        JwtAuthenticator a = http(Duration.ofMinutes(5));
        CompletableFuture<AuthOutcome> f = a.authenticate(bearer(token(A, Instant.now())), null).toCompletableFuture();
        assertThat(f).isNotDone();
        assertThat(f.get(5, TimeUnit.SECONDS)).isInstanceOf(AuthOutcome.Verified.class);
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void withdrawnKeyStopsWorkingAfterRotation() throws Exception {
        server.keys(A, B);
        JwtAuthenticator a = new JwtAuthenticator(Tokens.config(server.uri(), null, List.of("RS256", "ES256"),
                Duration.ofMillis(300)), HTTP, scheduler, Tokens.fastTuning(Clock.systemUTC()));
        toClose.add(a);
        a.keysLoaded().get(5, TimeUnit.SECONDS);
        String tokenA = token(A, Instant.now());
        assertThat(now(a, tokenA)).isInstanceOf(AuthOutcome.Verified.class);
        assertThat(a.cachedTokens()).isEqualTo(1);
        server.keys(B);
        await().atMost(Duration.ofSeconds(3)).until(() -> a.cachedTokens() == 0);
        assertThat(eventually(a, tokenA)).isEqualTo(new AuthOutcome.Invalid("unknown signing key"));
    }

    @Test
    void jwksFileIsReloadedWhenItChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jwks.json");
        write(file, A);
        JwtAuthenticator a = new JwtAuthenticator(Tokens.config(null, file), HTTP, scheduler,
                Tokens.fastTuning(Clock.systemUTC()));
        toClose.add(a);
        a.keysLoaded().get(5, TimeUnit.SECONDS);
        assertThat(now(a, token(A, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class);
        long reads = a.metrics().jwksFetches();
        await("polled").atMost(Duration.ofSeconds(3)).until(() -> a.metrics().jwksFetches() > reads);

        write(file, B);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(now(a, token(B, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class));
        assertThat(eventually(a, token(A, Instant.now()))).isEqualTo(new AuthOutcome.Invalid("unknown signing key"));

        // a broken rewrite keeps the last good keys
        Files.writeString(file, "{broken");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(20)));
        await().atMost(Duration.ofSeconds(3)).until(() -> a.metrics().jwksFetchFailures() >= 1);
        assertThat(now(a, token(B, Instant.now()))).isInstanceOf(AuthOutcome.Verified.class);
    }

    static void write(Path file, TestKey... keys) throws Exception {
        Files.writeString(file, new JWKSet(Arrays.stream(keys).map(k -> k.publicJwk).toList()).toString(true),
                StandardCharsets.UTF_8);
    }

    static byte[] bigJwks() {
        byte[] pad = new byte[2 * 1024 * 1024];
        Arrays.fill(pad, (byte) ' ');
        byte[] head = ("{\"keys\":[" + A.publicJwk.toJSONString() + "]").getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(head, head.length + pad.length + 1);
        System.arraycopy(pad, 0, out, head.length, pad.length);
        out[out.length - 1] = '}';
        return out;
    }

}
