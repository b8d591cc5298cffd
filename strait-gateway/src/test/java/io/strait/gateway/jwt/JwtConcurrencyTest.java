package io.strait.gateway.jwt;

import static io.strait.gateway.jwt.Tokens.bearer;
import static io.strait.gateway.jwt.Tokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.gateway.auth.AuthOutcome;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Many threads verifying while the JWKS rotates underneath them. */
class JwtConcurrencyTest {
    @Test
    void manyThreadsVerifyWhileKeysRotate() throws Exception {
        TestKey stable = TestKey.rsa("stable");
        List<TestKey> rotating = List.of(TestKey.ec("r0"), TestKey.ec("r1"), TestKey.ed25519("r2"), TestKey.ec("r3"));
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try (JwksServer server = new JwksServer().keys(stable, rotating.get(0));
                JwtAuthenticator a = new JwtAuthenticator(Tokens.config(server.uri(), null,
                        List.of("RS256", "ES256", "EdDSA"), Duration.ofMillis(100)), HttpClient.newHttpClient(),
                        scheduler, Tokens.fastTuning(Clock.systemUTC()).withTokenCacheSize(64))) {
            a.keysLoaded().get(5, TimeUnit.SECONDS);
            // a few repeated tokens (cache hits) and fresh ones (signature checks)
            List<String> repeated = List.of(token(stable, Instant.now()), token(stable, Instant.now()));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger rotations = new AtomicInteger();
            Thread rotator = new Thread(() -> {
                int i = 0;
                while (!stop.get()) {
                    i++;
                    server.keys(stable, rotating.get(i % rotating.size()), rotating.get((i + 1) % rotating.size()));
                    rotations.incrementAndGet();
                    try {
                        Thread.sleep(30);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            rotator.start();
            ConcurrentHashMap<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
            AtomicLong stableFailures = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int worker = w;
                done.add(workers.submit(() -> {
                    go.await();
                    for (int i = 0; i < 150; i++) {
                        String t = switch (i % 3) {
                            case 0 -> repeated.get(i % 2);
                            case 1 -> token(stable, Instant.now());
                            default -> token(rotating.get((i + worker) % rotating.size()), Instant.now());
                        };
                        AuthOutcome o = a.authenticate(bearer(t), null).toCompletableFuture().get(5, TimeUnit.SECONDS);
                        String kind = o instanceof AuthOutcome.Invalid inv ? inv.description() : o.getClass().getSimpleName();
                        outcomes.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
                        if (i % 3 != 2 && !(o instanceof AuthOutcome.Verified)) stableFailures.incrementAndGet();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
            stop.set(true);
            rotator.join();

            assertThat(stableFailures.get()).as("tokens of the key that never rotates always verify: %s", outcomes)
                    .isZero();
            // rotating keys: verified when present, else "unknown signing key"; never anything else
            assertThat(outcomes.keySet()).isSubsetOf("Verified", "unknown signing key");
            assertThat(outcomes.get("Verified").get()).isGreaterThan(8 * 100);
            assertThat(rotations.get()).isGreaterThan(3);
            assertThat(a.metrics().jwksFetches()).isGreaterThan(3);
            assertThat(a.metrics().cacheHits()).isPositive();
        } finally {
            workers.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
