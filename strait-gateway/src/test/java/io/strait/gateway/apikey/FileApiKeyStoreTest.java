package io.strait.gateway.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileApiKeyStoreTest {
    @TempDir
    Path dir;

    private static Optional<ApiKeyRecord> lookup(ApiKeyStore s, String key) {
        return s.lookup(ApiKeys.hash(key)).toCompletableFuture().join();
    }

    @Test
    void createLookupListRevoke() {
        Path file = dir.resolve("sub/apikeys.json");
        try (FileApiKeyStore s = FileApiKeyStore.open(file)) {
            assertThat(s.list()).isEmpty();
            IssuedKey a = IssuedKey.issue(s, "acme", "gold", List.of("users:read", "orders:write"),
                    List.of(new ApiKeyRecord.RateLimit(100, Duration.ofMinutes(1))), null, Instant.now());
            IssuedKey b = IssuedKey.issue(s, "globex", null, List.of(), List.of(), null, Instant.now());
            assertThat(file).exists();

            ApiKeyRecord found = lookup(s, a.key()).orElseThrow();
            assertThat(found).isEqualTo(a.record());
            assertThat(found.tenant()).isEqualTo("acme");
            assertThat(found.plan()).isEqualTo("gold");
            assertThat(found.rateLimits()).containsExactly(new ApiKeyRecord.RateLimit(100, Duration.ofMinutes(1)));
            assertThat(lookup(s, ApiKeys.newKey())).isEmpty();
            assertThat(s.list()).extracting(ApiKeyRecord::id).containsExactly(a.record().id(), b.record().id());

            assertThat(s.revoke(a.record().id())).get().extracting(ApiKeyRecord::status).isEqualTo(ApiKeyRecord.Status.REVOKED);
            assertThat(s.revoke("key_unknownnnnnn")).isEmpty();
            assertThat(lookup(s, a.key()).orElseThrow().revoked()).isTrue();
            assertThat(lookup(s, b.key()).orElseThrow().revoked()).isFalse();
        }
        try (FileApiKeyStore again = FileApiKeyStore.open(file)) { // it all survives a reopen
            assertThat(again.list()).hasSize(2);
            assertThat(again.list().get(0).revoked()).isTrue();
        }
    }

    @Test
    void theFileHoldsOnlyHashesAndIsPrivate() throws Exception {
        Path file = dir.resolve("apikeys.json");
        try (FileApiKeyStore s = FileApiKeyStore.open(file)) {
            IssuedKey k = IssuedKey.issue(s, "acme", null, List.of("a"), List.of(), null, Instant.now());
            String text = Files.readString(file);
            assertThat(text).contains(ApiKeys.hash(k.key())).contains(k.record().id());
            assertThat(text).doesNotContain(k.key()).doesNotContain(k.key().substring(ApiKeys.PREFIX.length()));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(k.toString()).doesNotContain(k.key());
        }
        try (var files = Files.list(dir)) { // no temp file left behind
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("apikeys.json");
        }
    }

    @Test
    void aWatchingStorePicksUpAnExternalChange() throws Exception {
        Path file = dir.resolve("apikeys.json");
        try (FileApiKeyStore gateway = FileApiKeyStore.watching(file, Duration.ofMillis(50));
                FileApiKeyStore cli = FileApiKeyStore.open(file)) {
            IssuedKey k = IssuedKey.issue(cli, "acme", null, List.of(), List.of(), null, Instant.now());
            await().atMost(Duration.ofSeconds(5)).until(() -> lookup(gateway, k.key()).isPresent());
            cli.revoke(k.record().id());
            await().atMost(Duration.ofSeconds(5)).until(() -> lookup(gateway, k.key()).orElseThrow().revoked());

            // a broken file is logged and the keys read before keep serving
            Files.writeString(file, "{ not json");
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3)).until(() -> lookup(gateway, k.key()).isPresent());
            // and a good file afterwards is read again
            Files.delete(file);
            IssuedKey k2 = IssuedKey.issue(cli, "acme", null, List.of(), List.of(), null, Instant.now());
            await().atMost(Duration.ofSeconds(5)).until(() -> lookup(gateway, k2.key()).isPresent());
            assertThat(lookup(gateway, k.key())).isEmpty();
        }
    }

    @Test
    void aMissingFileIsAnEmptyStore() {
        try (FileApiKeyStore s = FileApiKeyStore.open(dir.resolve("none.json"))) {
            assertThat(s.list()).isEmpty();
            assertThat(lookup(s, ApiKeys.newKey())).isEmpty();
            assertThat(s.lookup(ApiKeys.hash("x")).toCompletableFuture()).isDone();
        }
    }
}
