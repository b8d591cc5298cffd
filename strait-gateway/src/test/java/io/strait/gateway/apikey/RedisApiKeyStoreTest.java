package io.strait.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.ApiKeysConfig;
import io.strait.gateway.auth.AuthOutcome;
import io.strait.proxy.testing.RedisExtension;
import io.strait.proxy.testing.RedisServer;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis store against a real redis-server, including an outage and a recovery. */
class RedisApiKeyStoreTest {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    /** One redis-server for the class; tests keep apart by key prefix, so nothing is flushed between them. */
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension().keepData();

    private static String prefix() {
        return "test" + PREFIXES.incrementAndGet() + ":apikey:";
    }

    private static Optional<ApiKeyRecord> lookup(ApiKeyStore s, String key) {
        return s.lookup(ApiKeys.hash(key)).toCompletableFuture().join();
    }

    private static AuthOutcome run(ApiKeyAuthenticator a, String key) {
        HttpHeaders h = new DefaultHttpHeaders().add("X-API-Key", key);
        return a.authenticate(h, null).toCompletableFuture().join();
    }

    @Test
    void createLookupListRevoke() {
        try (RedisApiKeyStore s = new RedisApiKeyStore(redis.uri(), prefix())) {
            assertThat(s.list()).isEmpty();
            IssuedKey a = IssuedKey.issue(s, "acme", "gold", List.of("users:read"),
                    List.of(new ApiKeyRecord.RateLimit(10, Duration.ofSeconds(1))), Instant.now().plusSeconds(3600),
                    Instant.now());
            IssuedKey b = IssuedKey.issue(s, "globex", null, List.of(), List.of(), null, Instant.now().plusMillis(1));
            assertThat(lookup(s, a.key())).contains(a.record());
            assertThat(lookup(s, b.key())).contains(b.record());
            assertThat(lookup(s, ApiKeys.newKey())).isEmpty();
            assertThat(s.list()).containsExactly(a.record(), b.record());

            assertThat(s.revoke(a.record().id())).get().extracting(ApiKeyRecord::revoked).isEqualTo(true);
            assertThat(s.revoke("key_unknownnnnnn")).isEmpty();
            assertThat(lookup(s, a.key()).orElseThrow().revoked()).isTrue();
            assertThat(s.list()).extracting(ApiKeyRecord::status)
                    .containsExactly(ApiKeyRecord.Status.REVOKED, ApiKeyRecord.Status.ACTIVE);
            assertThat(s.describe()).isEqualTo("Redis at 127.0.0.1:" + redis.port());
        }
    }

    @Test
    void redisHoldsOnlyHashes() throws Exception {
        String prefix = prefix();
        try (RedisApiKeyStore s = new RedisApiKeyStore(redis.uri(), prefix)) {
            IssuedKey k = IssuedKey.issue(s, "acme", null, List.of(), List.of(), null, Instant.now());
            String dump = redis.server().dump();
            assertThat(dump).contains(prefix + ApiKeys.hash(k.key())).contains(prefix + "id:" + k.record().id());
            assertThat(dump).doesNotContain(k.key()).doesNotContain(k.key().substring(ApiKeys.PREFIX.length()));
        }
    }

    @Test
    void anUnreachableRedisIsAClearErrorWithoutThePassword() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (RedisApiKeyStore s = new RedisApiKeyStore("redis://:s3cr3t-pw@127.0.0.1:" + port, prefix())) {
            assertThatThrownBy(s::list).isInstanceOf(ApiKeyStoreException.class)
                    .hasMessage("cannot reach Redis at 127.0.0.1:" + port);
            assertThat(s.lookup(ApiKeys.hash("x")).toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
        }
        assertThatThrownBy(() -> new RedisApiKeyStore("redis://:pw@host:notaport", "p:"))
                .isInstanceOf(ApiKeyStoreException.class).message().doesNotContain("pw");
    }

    @Test
    void anOutageServesCachedKeysAndRecoversWithoutRecreatingAnything() throws Exception {
        String prefix = prefix();
        ApiKeysConfig c = new ApiKeysConfig("X-API-Key", null,
                new ApiKeysConfig.Store(ApiKeysConfig.StoreType.REDIS, null, redis.uri(), prefix),
                Duration.ofSeconds(60), Duration.ofSeconds(60), false);
        IssuedKey cached;
        IssuedKey uncached;
        try (RedisApiKeyStore cli = new RedisApiKeyStore(redis.uri(), prefix)) {
            cached = IssuedKey.issue(cli, "acme", null, List.of(), List.of(), null, Instant.now());
            uncached = IssuedKey.issue(cli, "acme", null, List.of(), List.of(), null, Instant.now());
        }
        try (ApiKeyAuthenticator a = ApiKeyAuthenticator.create(c)) {
            assertThat(run(a, cached.key())).isInstanceOf(AuthOutcome.Verified.class);
            redis.stop();
            try {
                assertThat(run(a, cached.key())).isInstanceOf(AuthOutcome.Verified.class);
                assertThat(a.authenticate(new DefaultHttpHeaders().add("X-API-Key", cached.key()), null)
                        .toCompletableFuture()).isDone();
                await().atMost(Duration.ofSeconds(5)).until(
                        () -> run(a, uncached.key()).equals(new AuthOutcome.Unavailable("key store unavailable")));
                assertThat(run(a, ApiKeys.newKey())).isEqualTo(new AuthOutcome.Unavailable("key store unavailable"));
                // while it is down, failures come fast: nothing waits for a timeout
                long t0 = System.nanoTime();
                CompletableFuture<AuthOutcome> f = a.authenticate(
                        new DefaultHttpHeaders().add("X-API-Key", ApiKeys.newKey()), null).toCompletableFuture();
                assertThat(f.join()).isInstanceOf(AuthOutcome.Unavailable.class);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(RedisApiKeyStore.COMMAND_TIMEOUT);
            } finally {
                redis.restart();
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> run(a, uncached.key()) instanceof AuthOutcome.Verified);
            assertThat(run(a, ApiKeys.newKey())).isEqualTo(new AuthOutcome.Invalid("unknown API key"));
        }
    }

    @Test
    void aGatewayStartedWhileRedisIsDownConnectsWhenItComesUp() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            String prefix = prefix();
            IssuedKey k;
            try (RedisApiKeyStore cli = new RedisApiKeyStore(own.uri(), prefix)) {
                k = IssuedKey.issue(cli, "acme", null, List.of(), List.of(), null, Instant.now());
            }
            own.stop();
            RedisApiKeyStore store = new RedisApiKeyStore(own.uri(), prefix);
            ApiKeysConfig c = new ApiKeysConfig("X-API-Key", null, ApiKeysConfig.Store.DEFAULT, Duration.ofSeconds(10),
                    Duration.ofSeconds(10), false);
            try (ApiKeyAuthenticator a = new ApiKeyAuthenticator(c, store,
                    new CachingApiKeyLookup(store, c.cacheTtl(), c.negativeCacheTtl()), Clock.systemUTC())) {
                assertThat(run(a, k.key())).isInstanceOf(AuthOutcome.Unavailable.class);
                own.restart();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> run(a, k.key()) instanceof AuthOutcome.Verified);
            }
        }
    }
}
