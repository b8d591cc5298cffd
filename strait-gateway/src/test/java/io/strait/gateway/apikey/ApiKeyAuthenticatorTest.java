package io.strait.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.ApiKeysConfig;
import io.strait.gateway.auth.AuthOutcome;
import io.strait.gateway.auth.Identity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyAuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private final FakeApiKeyStore store = new FakeApiKeyStore();

    @TempDir
    Path dir;

    private static ApiKeysConfig config(String queryParam, boolean forward) {
        return new ApiKeysConfig("X-API-Key", queryParam, ApiKeysConfig.Store.DEFAULT, Duration.ofSeconds(10),
                Duration.ofSeconds(10), forward);
    }

    private ApiKeyAuthenticator auth(String queryParam, boolean forward) {
        ApiKeysConfig c = config(queryParam, forward);
        return new ApiKeyAuthenticator(c, store, new CachingApiKeyLookup(store, c.cacheTtl(), c.negativeCacheTtl()),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private String issue(Instant expires) {
        return IssuedKey.issue(store, "acme", "gold", List.of("users:read", "orders:read"), List.of(), expires,
                NOW.minusSeconds(60)).key();
    }

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) h.add(nameValues[i], nameValues[i + 1]);
        return h;
    }

    private static AuthOutcome run(ApiKeyAuthenticator a, HttpHeaders h, String query) {
        return a.authenticate(h, query).toCompletableFuture().join();
    }

    @Test
    void aValidKeyGivesTheRecordsIdentity() {
        ApiKeyAuthenticator a = auth(null, false);
        String key = issue(null);
        AuthOutcome o = run(a, headers("x-api-key", key), null);
        assertThat(o).isInstanceOf(AuthOutcome.Verified.class);
        Identity id = ((AuthOutcome.Verified) o).identity();
        assertThat(id.source()).isEqualTo("apiKey");
        assertThat(id.userId()).isNull();
        assertThat(id.tenant()).isEqualTo("acme");
        assertThat(id.scopes()).containsExactly("users:read", "orders:read");
        assertThat(id.keyId()).isEqualTo(store.records.get(ApiKeys.hash(key)).id());
        assertThat(id.extraHeaders()).isEmpty();
    }

    @Test
    void aCacheHitIsAnsweredWithACompletedFuture() {
        ApiKeyAuthenticator a = auth(null, false);
        String key = issue(null);
        store.hold = true;
        CompletableFuture<AuthOutcome> first = a.authenticate(headers("X-API-Key", key), null).toCompletableFuture();
        assertThat(first).isNotDone();
        store.release();
        assertThat(first.join()).isInstanceOf(AuthOutcome.Verified.class);
        CompletableFuture<AuthOutcome> second = a.authenticate(headers("X-API-Key", key), null).toCompletableFuture();
        assertThat(second).isCompletedWithValueMatching(o -> o instanceof AuthOutcome.Verified);
        assertThat(store.lookups).hasValue(1);
    }

    @Test
    void missingWrongHeaderUnknownRevokedExpired() {
        ApiKeyAuthenticator a = auth(null, false);
        String key = issue(null);
        assertThat(run(a, headers(), null)).isEqualTo(AuthOutcome.MISSING);
        assertThat(run(a, headers("Authorization", "Bearer " + key, "X-Api-Token", key), null)).isEqualTo(AuthOutcome.MISSING);
        assertThat(run(a, headers("X-API-Key", ApiKeys.newKey()), null)).isEqualTo(new AuthOutcome.Invalid("unknown API key"));
        String expired = issue(NOW);
        assertThat(run(a, headers("X-API-Key", expired), null)).isEqualTo(new AuthOutcome.Invalid("API key expired"));
        assertThat(run(a, headers("X-API-Key", issue(NOW.plusSeconds(1))), null)).isInstanceOf(AuthOutcome.Verified.class);
        String revoked = issue(null);
        store.revoke(store.records.get(ApiKeys.hash(revoked)).id());
        assertThat(run(a, headers("X-API-Key", revoked), null)).isEqualTo(new AuthOutcome.Invalid("API key revoked"));
        assertThat(run(a, headers("X-API-Key", key), null)).isInstanceOf(AuthOutcome.Verified.class);
    }

    @Test
    void twoKeysOrAMalformedKeyAreInvalidWithoutAStoreLookup() {
        ApiKeyAuthenticator a = auth("api_key", false);
        String key = issue(null);
        int before = store.lookups.get();
        assertThat(run(a, headers("X-API-Key", key, "X-API-Key", key), null)).isEqualTo(new AuthOutcome.Invalid("more than one API key"));
        assertThat(run(a, headers("X-API-Key", key), "api_key=" + key)).isEqualTo(new AuthOutcome.Invalid("more than one API key"));
        assertThat(run(a, headers(), "api_key=" + key + "&api_key=" + key)).isEqualTo(new AuthOutcome.Invalid("more than one API key"));
        for (String bad : List.of("", "secret", "Bearer " + key, key + "x", "strait_" + "A".repeat(300), "x".repeat(100_000))) {
            assertThat(run(a, headers("X-API-Key", bad), null)).as(bad.length() > 60 ? "long" : bad)
                    .isEqualTo(new AuthOutcome.Invalid("malformed API key"));
        }
        assertThat(run(a, headers(), "api_key=" + key.replace("_", "%5F"))).isEqualTo(new AuthOutcome.Invalid("malformed API key"));
        assertThat(store.lookups.get()).isEqualTo(before);
    }

    @Test
    void queryParameterOnlyWhenConfigured() {
        String key = issue(null);
        ApiKeyAuthenticator off = auth(null, false);
        assertThat(run(off, headers(), "api_key=" + key)).isEqualTo(AuthOutcome.MISSING);
        ApiKeyAuthenticator on = auth("api_key", false);
        assertThat(run(on, headers(), "a=1&api_key=" + key + "&b=2")).isInstanceOf(AuthOutcome.Verified.class);
        assertThat(run(on, headers(), "xapi_key=" + key + "&api_keyx=" + key)).isEqualTo(AuthOutcome.MISSING);
        assertThat(run(on, headers(), null)).isEqualTo(AuthOutcome.MISSING);
    }

    @Test
    void stripRemovesTheHeaderAndParameterUnlessForwarded() {
        String key = issue(null);
        ApiKeyAuthenticator a = auth("api_key", false);
        HttpHeaders h = headers("X-API-Key", key, "Accept", "a/b");
        assertThat(a.stripCredential(h, "a=1&api_key=" + key + "&b=2")).isEqualTo("a=1&b=2");
        assertThat(h.contains("X-API-Key")).isFalse();
        assertThat(h.get("Accept")).isEqualTo("a/b");
        assertThat(a.stripCredential(headers(), "api_key=" + key)).isNull();
        assertThat(a.stripCredential(headers(), "api_key")).isNull();
        assertThat(a.stripCredential(headers(), "x=%20y")).isEqualTo("x=%20y");
        assertThat(a.stripCredential(headers(), null)).isNull();

        ApiKeyAuthenticator headerOnly = auth(null, false);
        assertThat(headerOnly.stripCredential(headers(), "api_key=" + key)).isEqualTo("api_key=" + key);

        ApiKeyAuthenticator forward = auth("api_key", true);
        HttpHeaders fh = headers("X-API-Key", key);
        assertThat(forward.stripCredential(fh, "api_key=" + key)).isEqualTo("api_key=" + key);
        assertThat(fh.get("X-API-Key")).isEqualTo(key);
    }

    @Test
    void aFailingStoreIsUnavailable() {
        ApiKeyAuthenticator a = auth(null, false);
        String key = issue(null);
        store.fail = true;
        assertThat(run(a, headers("X-API-Key", key), null)).isEqualTo(new AuthOutcome.Unavailable("key store unavailable"));
    }

    @Test
    void revocationInTheFileStoreTakesEffectWithinCacheTtl() {
        Path file = dir.resolve("apikeys.json");
        ApiKeysConfig c = new ApiKeysConfig("X-API-Key", null,
                new ApiKeysConfig.Store(ApiKeysConfig.StoreType.FILE, file, null, null),
                Duration.ofMillis(300), Duration.ofMillis(300), false);
        try (FileApiKeyStore cli = FileApiKeyStore.open(file)) {
            IssuedKey k = IssuedKey.issue(cli, "acme", null, List.of(), List.of(), null, Instant.now());
            try (ApiKeyAuthenticator a = ApiKeyAuthenticator.create(c)) {
                assertThat(run(a, headers("X-API-Key", k.key()), null)).isInstanceOf(AuthOutcome.Verified.class);
                cli.revoke(k.record().id());
                long start = System.nanoTime();
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                        .until(() -> run(a, headers("X-API-Key", k.key()), null).equals(new AuthOutcome.Invalid("API key revoked")));
                // file reload interval (1 s) plus the cache TTL, with slack for a busy machine
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(
                        FileApiKeyStore.DEFAULT_RELOAD_INTERVAL.plus(c.cacheTtl()).plusSeconds(2));
            }
        }
    }
}
