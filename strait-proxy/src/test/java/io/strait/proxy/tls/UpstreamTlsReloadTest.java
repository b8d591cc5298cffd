package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A reload that changes a cluster's tls settings applies them to the next request: connections
 * made with the old settings are never handed out again; a reload naming a missing file is refused
 * and the old settings keep serving.
 */
class UpstreamTlsReloadTest {
    static final String CLUSTER = """
            clusters:
              users:
                endpoints: [{address: ${b}}]
                tls: %s
            routes:
              - {name: all, match: {pathPrefix: /}, cluster: users}
            """;

    Path dir;
    TestBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("strait-upstream-tls-reload");
        TestCerts.Ca ca = new TestCerts(dir).ca("ca");
        backend = TestBackend.tls("users", TestCerts.Ca.serverContext(ca.server("users", "users.internal")));
        proxy = ProxyFixture.start(CLUSTER.formatted("{sni: users.internal, caFile: ca.pem}"), Map.of("b", backend.address()),
                FilterModule.NONE, dir);
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private HttpResponse<String> reload(String tls) throws Exception {
        proxy.writeConfig(CLUSTER.formatted(tls), Map.of("b", backend.address()));
        return proxy.admin("POST", "/reload");
    }

    @Test
    void changedSettingsApplyToTheNextRequestAndAMissingFileIsRefused() throws Exception {
        assertThat(proxy.get("/echo/1").statusCode()).isEqualTo(200);
        assertThat(backend.handshakes()).isEqualTo(1);

        assertThat(reload("{sni: users.internal, caFile: ca.pem, verifySubjectAltName: [orders.internal]}").statusCode()).isEqualTo(200);
        // the connection made with the old settings is closed, not left idle for the pool's idle timeout
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> proxy.server().pools().all().stream()
                .mapToInt(p -> p.idleConnections() + p.activeConnections()).sum() == 0);
        HttpResponse<String> wrong = proxy.get("/echo/2");
        assertThat(wrong.statusCode()).isEqualTo(502); // the kept-alive connection, checked for users.internal, is not reused
        assertThat(Json.parse(wrong.body()).get("message").asText()).contains("does not match orders.internal");

        assertThat(reload("{sni: users.internal, caFile: ca.pem}").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/echo/3").statusCode()).isEqualTo(200);

        HttpResponse<String> refused = reload("{sni: users.internal, caFile: gone.pem}");
        assertThat(refused.statusCode()).isNotEqualTo(200);
        assertThat(refused.body()).contains("clusters.users.tls.caFile: cannot read 'gone.pem': no such file");
        assertThat(proxy.get("/echo/4").statusCode()).isEqualTo(200);
        assertThat(backend.received()).extracting(r -> r.uri()).containsExactly("/echo/1", "/echo/3", "/echo/4");
    }
}
