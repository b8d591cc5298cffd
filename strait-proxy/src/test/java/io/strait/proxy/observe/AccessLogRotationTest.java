package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.runtime.LogReopenSignal;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.LoadLoop;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * logrotate's way under load: the access log is renamed, then reopened (admin {@code POST /logs/reopen}, or
 * {@code SIGUSR1}); every request's line is in the old file or the new one, none lost or doubled.
 */
class AccessLogRotationTest {
    private static final String CONFIG = """
            observability: {accessLog: {path: "${log}", fields: [requestId, path, status]}}
            clusters: {web: {endpoints: [{address: ${b}}]}}
            routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
            """;

    @TempDir
    Path dir;

    private static long lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    @Test
    void renamedAndReopenedUnderLoadNoLineIsLost() throws Exception {
        Path log = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        try (TestBackend b = new TestBackend("b");
                ProxyFixture p = ProxyFixture.start(CONFIG, Map.of("b", b.address(), "log", log.toString()))) {
            LoadLoop load = LoadLoop.start(4, () -> p.get("/echo/x"));
            int sent;
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() >= 300);
                Files.move(log, rotated); // logrotate's rename: the proxy keeps writing to the renamed file
                var reopened = p.admin("POST", "/logs/reopen");
                assertThat(reopened.statusCode()).isEqualTo(200);
                assertThat(Json.parse(reopened.body()).path("status").asText()).isEqualTo("reopened");
                assertThat(log).exists();
                int atReopen = load.ok();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() >= atReopen + 300);
            } finally {
                load.close();
            }
            sent = load.ok();
            assertThat(load.failures()).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> lines(rotated) + lines(log) == sent);
            assertThat(lines(rotated)).isGreaterThanOrEqualTo(300);
            assertThat(lines(log)).isGreaterThanOrEqualTo(300);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> lines(rotated) + lines(log) == sent);
        }
    }

    @Test
    void sigusr1ReopensTheLog() throws Exception {
        Path log = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        try (TestBackend b = new TestBackend("b");
                ProxyFixture p = ProxyFixture.start(CONFIG, Map.of("b", b.address(), "log", log.toString()))) {
            assertThat(LogReopenSignal.install(p::server)).isTrue();
            assertThat(p.get("/echo/before").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> lines(log) == 1);
            Files.move(log, rotated);
            Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(ProcessHandle.current().pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(log));
            assertThat(p.get("/echo/after").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(log).contains("/echo/after"));
            assertThat(Files.readString(rotated)).contains("/echo/before").doesNotContain("/echo/after");
        }
    }

    @Test
    void reopeningStdoutSaysThereIsNothingToReopen() throws Exception {
        try (TestBackend b = new TestBackend("b");
                ProxyFixture p = ProxyFixture.start(CONFIG.replace("\"${log}\"", "stdout"), Map.of("b", b.address()))) {
            var res = p.admin("POST", "/logs/reopen");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(Json.parse(res.body()).path("status").asText()).isEqualTo("nothing_to_reopen");
            assertThat(p.admin("GET", "/logs/reopen").statusCode()).isEqualTo(405);
        }
    }
}
