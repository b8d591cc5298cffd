package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.gateway.GatewayUnderTest.Answer;
import io.strait.gateway.apikey.ApiKeyRecord;
import io.strait.gateway.apikey.ApiKeys;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** API keys from a key file, end to end: the real gateway, the real authenticator and file store. */
class GatewaySecurityApiKeyFileTest {
    /** cacheTtl in the config: a revoked key must stop working within it (plus the file store's re-read interval). */
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final String CONFIG = """
            observability: {accessLog: {path: "${log}"}}
            auth:
              apiKeys: {store: {type: file, path: "${keys}"}, cacheTtl: 1s, negativeCacheTtl: 1s}
            clusters:
              b: {endpoints: [{address: "${b}"}]}
            routes:
              - {name: keys, match: {pathPrefix: /keys}, cluster: b, auth: apiKey}
            """;

    static Path keyFile;
    static Path accessLog;
    static GatewayUnderTest gw;
    static IssuedKey valid;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("strait-e2e-keys");
        keyFile = dir.resolve("apikeys.json");
        valid = issue(null);
        accessLog = dir.resolve("access.log");
        gw = GatewayUnderTest.start(CONFIG, Map.of("keys", keyFile.toString(), "log", accessLog.toString()), dir);
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    static IssuedKey issue(Instant expiresAt) {
        try (FileApiKeyStore store = FileApiKeyStore.open(keyFile)) {
            return IssuedKey.issue(store, "acme", "gold", List.of("orders:read"), List.of(), expiresAt, Instant.now());
        }
    }

    private static Answer withKey(String key) {
        return gw.get("/keys/x", "X-API-Key", key);
    }

    /** A key written to the file after the gateway started: it shows once the store re-reads the file. */
    private static IssuedKey issueAndWait(Instant expiresAt) {
        IssuedKey k = issue(expiresAt);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> withKey(k.key()).status() == 200);
        return k;
    }

    @Test
    void theAccessLogNamesTheCallersTenantAndKeyIdNeverTheKey() throws Exception {
        Answer a = withKey(valid.key());
        assertThat(a.status()).isEqualTo(200);
        String requestId = a.headers().get("x-request-id").get(0);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(accessLog).contains(requestId));
        String line = Files.readAllLines(accessLog).stream().filter(l -> l.contains(requestId)).findFirst().orElseThrow();
        JsonNode json = io.strait.proxy.testing.Json.parse(line);
        assertThat(json.path("tenant").asText()).isEqualTo("acme");
        assertThat(json.path("keyId").asText()).isEqualTo(valid.record().id());
        assertThat(json.path("subject").isNull()).isTrue();
        assertThat(json.has("traceId")).isTrue();
        assertThat(Files.readString(accessLog)).doesNotContain(valid.key());
    }

    @Test
    void aValidKeyReachesTheBackendWithItsIdAndTenantAndWithoutTheKey() {
        Answer a = withKey(valid.key());
        JsonNode h = a.upstreamHeaders();
        assertThat(h.path("x-api-key-id").asText()).isEqualTo(valid.record().id());
        assertThat(h.path("x-tenant-id").asText()).isEqualTo("acme");
        assertThat(h.path("x-scopes").asText()).isEqualTo("orders:read");
        assertThat(h.has("x-user-id")).isFalse();
        assertThat(h.has("x-api-key")).isFalse();
        assertThat(gw.lastUpstream().headers().contains("X-API-Key")).isFalse();
        assertThat(gw.proxy.admin("GET", "/metrics").body()).containsPattern("strait_apikey_cache_entries\\{kind=\"found\"} [1-9]");
        assertThat(a.body()).doesNotContain(valid.key());
    }

    @Test
    void unknownAndMalformedKeysAreRefused() {
        String unknown = ApiKeys.newKey();
        withKey(unknown).unauthorizedWithKeyChallenge("unknown API key", unknown);
        withKey(unknown).unauthorizedWithKeyChallenge("unknown API key", unknown); // now from the negative cache
        withKey("strait_short").unauthorizedWithKeyChallenge("malformed API key", "strait_short");
        String almost = valid.key().substring(0, valid.key().length() - 1) + (valid.key().endsWith("A") ? "B" : "A");
        withKey(almost).unauthorizedWithKeyChallenge("unknown API key", almost);
    }

    @Test
    void aRevokedKeyStopsWorkingWithinTheCacheTtl() {
        IssuedKey k = issueAndWait(null);
        assertThat(withKey(k.key()).status()).isEqualTo(200); // cached now
        try (FileApiKeyStore store = FileApiKeyStore.open(keyFile)) {
            assertThat(store.revoke(k.record().id())).isPresent();
        }
        long revokedAt = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> withKey(k.key()).status() == 401);
        Duration took = Duration.ofNanos(System.nanoTime() - revokedAt);
        // cacheTtl, plus the file store's re-read interval, plus scheduling slack
        assertThat(took).isLessThan(CACHE_TTL.plus(FileApiKeyStore.DEFAULT_RELOAD_INTERVAL).plusSeconds(1));
        withKey(k.key()).unauthorizedWithKeyChallenge("API key revoked", k.key());
    }

    @Test
    void anExpiredKeyIsRefused() throws Exception {
        String key = ApiKeys.newKey();
        Instant past = Instant.now().minus(Duration.ofDays(2));
        try (FileApiKeyStore store = FileApiKeyStore.open(keyFile)) {
            store.create(ApiKeys.hash(key), new ApiKeyRecord(ApiKeys.newId(), "acme", null, List.of(), List.of(),
                    ApiKeyRecord.Status.ACTIVE, past, past.plus(Duration.ofDays(1))));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> withKey(key).status() == 401
                && withKey(key).json().path("message").asText().equals("API key expired"));
        withKey(key).unauthorizedWithKeyChallenge("API key expired", key);
    }

    @Test
    void aCachedKeyStopsWorkingWhenItExpires() {
        IssuedKey k = issueAndWait(Instant.now().plusSeconds(3));
        Awaitility.await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
                .until(() -> withKey(k.key()).status() == 401);
        assertThat(Instant.now()).isAfterOrEqualTo(k.record().expiresAt());
        withKey(k.key()).unauthorizedWithKeyChallenge("API key expired", k.key());
    }

    @Test
    void aKeyInTheWrongHeaderIsMissingCredentials() {
        String key = valid.key();
        gw.get("/keys/x", "X-Api-Token", key).unauthorizedWithKeyChallenge("missing credentials", key);
        gw.get("/keys/x", "Authorization", "Bearer " + key).unauthorizedWithKeyChallenge("missing credentials", key);
        gw.get("/keys/x", "X-API-Key-ID", key).unauthorizedWithKeyChallenge("missing credentials", key);
    }

    @Test
    void aKeyInTheQueryIsIgnoredWhenQueryParamIsOff() {
        String key = valid.key();
        for (String q : List.of("api_key", "apiKey", "key", "X-API-Key")) {
            gw.get("/keys/x?" + q + "=" + key).unauthorizedWithKeyChallenge("missing credentials", key);
        }
    }

    @Test
    void twoKeyHeadersAreRefused() throws Exception {
        String key = valid.key();
        gw.raw("GET /keys/x HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + key + "\r\nx-api-key: " + key)
                .unauthorizedWithKeyChallenge("more than one API key", key);
    }
}
