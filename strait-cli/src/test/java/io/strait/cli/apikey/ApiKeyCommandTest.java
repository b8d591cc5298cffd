package io.strait.cli.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.cli.Main;
import io.strait.config.model.ApiKeysConfig;
import io.strait.gateway.apikey.ApiKeyRecord;
import io.strait.gateway.apikey.ApiKeyStore;
import io.strait.gateway.apikey.ApiKeys;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.RedisApiKeyStore;
import io.strait.proxy.testing.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code strait apikey} end to end, in process, against the file store and a real redis-server. */
class ApiKeyCommandTest {
    private static final Pattern KEY = Pattern.compile("strait_[A-Za-z0-9_-]{43}");
    private static final Pattern ID = Pattern.compile("key_[a-z2-7]{12}");
    private static RedisServer redis;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) redis.close();
    }

    record Run(int code, String out, String err) {}

    private static Run strait(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String only(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertThat(m.find()).as("no %s in %s", p, text).isTrue();
        String found = m.group();
        assertThat(m.find()).as("twice in %s", text).isFalse();
        return found;
    }

    private static Optional<ApiKeyRecord> lookup(ApiKeyStore s, String key) {
        return s.lookup(ApiKeys.hash(key)).toCompletableFuture().join();
    }

    @Test
    void fileStoreCreateListRevoke() throws Exception {
        Path file = dir.resolve("keys/apikeys.json");
        Run created = strait("apikey", "create", "--tenant", "acme", "--scopes", "users:read,orders:read",
                "--plan", "gold", "--expires", "30d", "--file", file.toString());
        assertThat(created.code()).as(created.err()).isZero();
        String key = only(KEY, created.out());
        String id = only(ID, created.out());
        assertThat(created.out()).contains("will not be shown again");
        assertThat(Files.readString(file)).doesNotContain(key).contains(ApiKeys.hash(key));

        try (FileApiKeyStore s = FileApiKeyStore.open(file)) {
            ApiKeyRecord r = lookup(s, key).orElseThrow();
            assertThat(r.id()).isEqualTo(id);
            assertThat(r.tenant()).isEqualTo("acme");
            assertThat(r.plan()).isEqualTo("gold");
            assertThat(r.scopes()).containsExactly("users:read", "orders:read");
            assertThat(r.expiresAt()).isBetween(Instant.now().plus(Duration.ofDays(29)), Instant.now().plus(Duration.ofDays(31)));
        }

        Run listed = strait("apikey", "list", "--file", file.toString());
        assertThat(listed.code()).isZero();
        assertThat(listed.out().lines().findFirst().orElseThrow())
                .matches("ID\\s+TENANT\\s+PLAN\\s+SCOPES\\s+STATUS\\s+CREATED\\s+EXPIRES");
        assertThat(listed.out()).contains(id).contains("acme").contains("gold").contains("users:read,orders:read")
                .contains("active").doesNotContain(key).doesNotContain(ApiKeys.hash(key));

        Run revoked = strait("apikey", "revoke", id, "--file", file.toString());
        assertThat(revoked.code()).as(revoked.err()).isZero();
        assertThat(revoked.out()).contains("Revoked " + id);
        assertThat(strait("apikey", "list", "--file", file.toString()).out()).contains("revoked");
        try (FileApiKeyStore s = FileApiKeyStore.open(file)) {
            assertThat(lookup(s, key).orElseThrow().revoked()).isTrue();
        }
    }

    @Test
    void redisStoreCreateListRevoke() throws Exception {
        Run created = strait("apikey", "create", "--tenant", "globex", "--redis", redis.uri());
        assertThat(created.code()).as(created.err()).isZero();
        String key = only(KEY, created.out());
        String id = only(ID, created.out());
        assertThat(redis.dump()).doesNotContain(key).contains(ApiKeys.hash(key));

        Run listed = strait("apikey", "list", "--redis", redis.uri());
        assertThat(listed.out()).contains(id).contains("globex").contains("never").doesNotContain(key);

        assertThat(strait("apikey", "revoke", id, "--redis", redis.uri()).code()).isZero();
        try (RedisApiKeyStore s = new RedisApiKeyStore(redis.uri(), ApiKeysConfig.DEFAULT_REDIS_PREFIX)) {
            assertThat(lookup(s, key).orElseThrow().revoked()).isTrue();
        }
    }

    @Test
    void theConfigNamesTheStore() throws Exception {
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: http, address: 127.0.0.1:0}]
                clusters: {svc: {endpoints: [{address: 127.0.0.1:9}]}}
                routes: [{name: r, match: {pathPrefix: /}, cluster: svc, auth: apiKey}]
                auth:
                  apiKeys: {store: {type: redis, uri: "%s", keyPrefix: "cfg:"}}
                """.formatted(redis.uri()));
        Run created = strait("apikey", "create", "--tenant", "initech", "--config", config.toString());
        assertThat(created.code()).as(created.err()).isZero();
        String key = only(KEY, created.out());
        assertThat(redis.command("EXISTS", "cfg:" + ApiKeys.hash(key))).isEqualTo(":1");

        Path noKeys = dir.resolve("plain.yaml");
        Files.writeString(noKeys, "listeners: [{name: http, address: 127.0.0.1:0}]\n");
        Run bad = strait("apikey", "list", "--config", noKeys.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("has no auth.apiKeys section");
    }

    @Test
    void clearErrorsWithoutStackTraces() throws Exception {
        Path file = dir.resolve("apikeys.json");
        Run badTenant = strait("apikey", "create", "--tenant", "no spaces", "--file", file.toString());
        assertThat(badTenant.code()).isEqualTo(1);
        assertThat(badTenant.err()).contains("tenant 'no spaces'");
        assertThat(file).doesNotExist();

        Run badExpiry = strait("apikey", "create", "--tenant", "acme", "--expires", "tomorrow", "--file", file.toString());
        assertThat(badExpiry.code()).isEqualTo(1);
        assertThat(badExpiry.err()).contains("--expires 'tomorrow'");

        Run unknown = strait("apikey", "revoke", "key_aaaaaaaaaaaa", "--file", file.toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no key with id key_aaaaaaaaaaaa");

        Run notAnId = strait("apikey", "revoke", "acme", "--file", file.toString());
        assertThat(notAnId.code()).isEqualTo(1);
        assertThat(notAnId.err()).contains("is not a key id");

        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Run down = strait("apikey", "create", "--tenant", "acme", "--redis", "redis://:hunter2@127.0.0.1:" + port);
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.err()).contains("cannot reach Redis at 127.0.0.1:" + port).doesNotContain("hunter2");

        Run both = strait("apikey", "list", "--file", file.toString(), "--redis", redis.uri());
        assertThat(both.code()).isEqualTo(1);
        assertThat(both.err()).contains("choose one of");

        for (Run r : new Run[] {badTenant, badExpiry, unknown, notAnId, down, both}) {
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(r.err().lines().count()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void theDefaultStoreIsTheFileUnderDotStrait() {
        Run r = strait("apikey", "list", "--help");
        assertThat(r.out()).contains(".strait/apikeys.json");
    }
}
