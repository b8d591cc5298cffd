package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.gateway.GatewayUnderTest.Answer;
import io.strait.gateway.apikey.IssuedKey;
import io.strait.gateway.apikey.RedisApiKeyStore;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.RedisExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** API keys in a real Redis, end to end: valid keys, an outage with and without cached keys, and recovery. */
class GatewaySecurityApiKeyRedisTest {
    private static final String CONFIG = """
            auth:
              apiKeys: {store: {type: redis, uri: "${redis}"}, cacheTtl: 1m, negativeCacheTtl: 1s}
            clusters:
              b: {endpoints: [{address: "${b}"}]}
            routes:
              - {name: keys, match: {pathPrefix: /keys}, cluster: b, auth: apiKey}
            """;

    /** One redis-server for the class, running and empty before each test. */
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();
    /** A gateway per test (on an instance field): each starts with fresh in-process state. */
    @RegisterExtension
    final ProxyExtension gateway = GatewayUnderTest.extension(CONFIG).var("redis", redis::uri);
    private GatewayUnderTest gw;

    @BeforeEach
    void wrap() {
        gw = GatewayUnderTest.on(gateway);
    }

    private IssuedKey issue() {
        try (RedisApiKeyStore store = new RedisApiKeyStore(redis.uri(), "strait:apikey:")) {
            return IssuedKey.issue(store, "acme", null, List.of("orders:read"), List.of(), null, Instant.now());
        }
    }

    private Answer withKey(String key) {
        return gw.get("/keys/x", "X-API-Key", key);
    }

    @Test
    void aValidKeyReachesTheBackendWithItsIdentityAndWithoutTheKey() {
        IssuedKey k = issue();
        Answer a = withKey(k.key());
        assertThat(a.upstreamHeaders().path("x-api-key-id").asText()).isEqualTo(k.record().id());
        assertThat(a.upstreamHeaders().path("x-tenant-id").asText()).isEqualTo("acme");
        assertThat(a.upstreamHeaders().has("x-api-key")).isFalse();
        assertThat(a.body()).doesNotContain(k.key());
        String unknown = io.strait.gateway.apikey.ApiKeys.newKey();
        withKey(unknown).unauthorizedWithKeyChallenge("unknown API key", unknown);
    }

    @Test
    void redisDownKeepsCachedKeysAndAnswers503ForOthersThenRecoversWithoutARestart() throws Exception {
        IssuedKey cached = issue();
        IssuedKey uncached = issue();
        assertThat(withKey(cached.key()).status()).isEqualTo(200);

        redis.stop();
        for (int i = 0; i < 3; i++) {
            assertThat(withKey(cached.key()).upstreamHeaders().path("x-api-key-id").asText())
                    .isEqualTo(cached.record().id());
        }
        withKey(uncached.key()).unavailable(uncached.key());
        withKey(uncached.key()).unavailable(uncached.key()); // a failed lookup is not cached as "unknown"

        redis.restart();
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> withKey(uncached.key()).status() == 200);
        assertThat(withKey(uncached.key()).upstreamHeaders().path("x-api-key-id").asText())
                .isEqualTo(uncached.record().id());
        IssuedKey issuedAfter = issue();
        assertThat(withKey(issuedAfter.key()).status()).isEqualTo(200);
    }
}
