package io.strait.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.TestBackend;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball as a user gets it: unpacked on a fresh path (with a space in it), run with an environment that
 * has no JAVA_HOME and a PATH on which there is no java at all, through a symlink from another directory. It answers
 * {@code --version}, runs a gateway that proxies to a real backend, and starts from the AOT cache built with it.
 */
class ReleaseTarballIT {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path tmp;
    static Release release;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        release = Release.unpack(tmp);
        home = release.home;
        assertThat(home.resolve("bin/strait")).isExecutable();
        assertThat(home.resolve("runtime/bin/java")).isExecutable();
        assertThat(home.resolve("lib/strait.aot")).isRegularFile();
        assertThat(home.resolve("lib/strait-sidecar.aot")).isRegularFile();
        assertThat(home.resolve("conf/gateway.yaml")).isRegularFile();
        try (var natives = Files.list(home.resolve("lib/native"))) {
            assertThat(natives.map(p -> p.getFileName().toString())).anyMatch(n -> n.contains("epoll")).anyMatch(n -> n.contains("tcnative"));
        }
        assertThat(release.run(List.of("/bin/sh", "-c", "command -v java || echo none"), tmp, List.of()).output()).contains("none");
    }

    @Test
    void printsItsVersionThroughASymlinkFromAnotherDirectory() throws Exception {
        Path link = Files.createDirectories(tmp.resolve("usr-local-bin")).resolve("strait");
        Files.createSymbolicLink(link, home.resolve("bin/strait"));
        Release.Result r = release.run(List.of(link.toString(), "--version"), Files.createDirectories(tmp.resolve("elsewhere")), List.of());
        assertThat(r.exit()).as(r.output()).isZero();
        String release = Release.version().replace("-SNAPSHOT", "");
        assertThat(r.output().strip()).startsWith("strait " + release);
    }

    @Test
    void aSidecarStartsFromItsOwnAotCache() throws Exception {
        Release.Result r = release.run(List.of("bin/strait", "sidecar", "--help"), home, List.of("STRAIT_JAVA_OPTS_APPEND=-Xlog:aot"));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("Opened AOT cache " + home.resolve("lib/strait-sidecar.aot"))
                .contains("Using AOT-linked classes: true").contains("--config").doesNotContain("[error]");
    }

    @Test
    void validatesTheSampleConfig() throws Exception {
        Release.Result r = release.run(List.of("bin/strait", "validate", "conf/gateway.yaml"), home, List.of());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("valid (1 listener(s), 1 cluster(s), 1 route(s))");
    }

    @Test
    void runsAGatewayFromTheAotCacheAndProxiesToABackend() throws Exception {
        try (TestBackend backend = new TestBackend("app")) {
            int port = freePort();
            int admin = freePort();
            Path config = tmp.resolve("gateway.yaml");
            Files.writeString(config, """
                    admin: {address: 127.0.0.1:%d}
                    listeners: [{name: public, address: 127.0.0.1:%d}]
                    clusters: {app: {endpoints: [{address: %s}]}}
                    routes: [{name: app, match: {pathPrefix: /}, cluster: app}]
                    """.formatted(admin, port, backend.address()));
            Path log = tmp.resolve("gateway.log");
            Process gateway = release.start(List.of(home.resolve("bin/strait").toString(), "gateway", "--config", config.toString()),
                    tmp, List.of("STRAIT_JAVA_OPTS_APPEND=-Xlog:aot"), log);
            try {
                awaitReady(gateway, admin, log);
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo/release"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("\"backend\":\"app\"").contains("/echo/release");
                assertThat(backend.requestCount()).isEqualTo(1);
                String out = Files.readString(log);
                assertThat(out).as("the JVM's AOT log").contains("Opened AOT cache " + home.resolve("lib/strait.aot"))
                        .contains("Using AOT-linked classes: true").doesNotContain("[error]");
            } finally {
                gateway.destroy();
                assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            }
            assertThat(gateway.exitValue()).as(Files.readString(log)).isIn(0, 143);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Polls the admin's /ready: another process's port. */
    private static void awaitReady(Process p, int admin, Path log) throws Exception {
        URI ready = URI.create("http://127.0.0.1:" + admin + "/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("the gateway exited with " + p.exitValue() + ":\n" + Files.readString(log));
            try {
                if (HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the gateway was not ready within " + READY_TIMEOUT + ":\n" + Files.readString(log));
    }
}
