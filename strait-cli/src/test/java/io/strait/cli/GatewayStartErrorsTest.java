package io.strait.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.RedisServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strait gateway} refuses to start with one line that names the listener, the admin API or the store concerned,
 * and exit code 1: no stack trace, never a password.
 */
class GatewayStartErrorsTest {
    static final String C = "clusters: {c: {endpoints: [{address: 127.0.0.1:9}]}}\nroutes: [{match: {pathPrefix: /}, cluster: c}]\n";

    @TempDir
    Path dir;

    record Run(int code, String err) {}

    private Run gateway(String yaml) throws Exception {
        Path file = dir.resolve("strait.yaml");
        Files.writeString(file, yaml);
        Cli.Run run = Cli.run("gateway", "--config", file.toString());
        assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception");
        return new Run(run.code(), run.err().replace(file.toString(), "FILE"));
    }

    @Test
    void aListenerPortInUseNamesTheListener() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int p = taken.getLocalPort();
            Run r = gateway("admin: {address: 127.0.0.1:0}\nlisteners:\n  - {name: web, address: 127.0.0.1:0}\n"
                    + "  - {name: public, address: 127.0.0.1:" + p + "}\n" + C);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("FILE: cannot start: listeners[1] 'public' 127.0.0.1:" + p + ": address already in use\n");
        }
    }

    @Test
    void anAdminPortInUseNamesTheAdminApi() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int p = taken.getLocalPort();
            Run r = gateway("admin: {address: 127.0.0.1:" + p + "}\nlisteners: [{name: public, address: 127.0.0.1:0}]\n" + C);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("FILE: cannot start: admin 127.0.0.1:" + p + ": address already in use\n");
        }
    }

    /** A gateway whose {@code section} (with {@code URI} for a Redis URI with a wrong password) names a Redis that wants another. */
    private void withARedisThatRefusesThePassword(String section, String routeExtra, String field) throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            redis.command("CONFIG", "SET", "requirepass", "the-right-one");
            Run r = gateway("admin: {address: 127.0.0.1:0}\nlisteners: [{name: public, address: 127.0.0.1:0}]\n"
                    + section.replace("URI", "'redis://:hunter2-wrong@127.0.0.1:" + redis.port() + "'")
                    + C.replace("cluster: c}", "cluster: c, " + routeExtra + "}"));
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("FILE: 1 error(s)\n  " + field + ": Redis at 127.0.0.1:" + redis.port()
                    + ": authentication failed (Redis answered WRONGPASS)\n");
            assertThat(r.err()).doesNotContain("hunter2");
        }
    }

    @Test
    void aRedisThatRefusesThePasswordNamesTheStoreAndItsAddressNotThePassword() throws Exception {
        withARedisThatRefusesThePassword("rateLimits:\n  store: {type: redis, uri: URI}\n  policies: {p: {limit: 5, window: 1s}}\n",
                "rateLimit: p", "rateLimits.store.uri");
    }

    @Test
    void anApiKeyStoreWhoseRedisRefusesThePasswordNamesItsField() throws Exception {
        withARedisThatRefusesThePassword("auth:\n  apiKeys: {store: {type: redis, uri: URI}}\n", "auth: apiKey",
                "auth.apiKeys.store.uri");
    }

    @Test
    void aMissingCertificateFileNamesTheField() throws Exception {
        Run r = gateway("listeners:\n  - name: public\n    address: 127.0.0.1:0\n"
                + "    tls: {certificates: [{certFile: nope.pem, keyFile: nope.key}]}\n" + C);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("FILE: 2 error(s)\n  listeners[0].tls.certificates[0].certFile: cannot read ");
    }

    @Test
    void aMissingEnvironmentVariableNamesTheField() throws Exception {
        Run r = gateway(C + "zone: ${STRAIT_TEST_NO_SUCH_VARIABLE}\n");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("FILE: 1 error(s)\n  zone: environment variable 'STRAIT_TEST_NO_SUCH_VARIABLE' is not set\n");
    }
}
