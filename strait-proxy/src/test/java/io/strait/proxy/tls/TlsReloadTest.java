package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Certificates replaced on disk are served to new connections without a restart; open connections keep working. */
class TlsReloadTest {
    Path dir;
    TestCerts certs;
    TestCerts.Ca ca;
    TestBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("strait-tls-reload");
        certs = new TestCerts(dir);
        ca = certs.ca("ca");
        ca.server("site", "site.test");
        backend = new TestBackend("b");
        proxy = ProxyFixture.start("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    tls:
                      certificates: [{certFile: site.pem, keyFile: site.key}]
                      reloadCheckInterval: 100ms
                clusters:
                  b: {endpoints: [{address: ${b}}]}
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: b}
                """, Map.of("b", backend.address()), io.strait.proxy.filter.FilterModule.NONE, dir);
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private X509Certificate served() throws Exception {
        try (SSLSocket s = TlsTools.connect(ca.clientContext(), proxy.port(), "site.test")) {
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void aReplacedCertificateServesNewConnectionsWhileAnOpenOneKeepsWorking() throws Exception {
        X509Certificate first = served();
        try (SSLSocket open = TlsTools.connect(ca.clientContext(), proxy.port(), "site.test")) {
            assertThat(TlsTools.get(open, "site.test", "/echo/1")).startsWith("HTTP/1.1 200");
            TestCerts.Issued second = ca.server("site", "site.test", "www.site.test");
            assertThat(second.certificate()).isNotEqualTo(first);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(served()).isEqualTo(second.certificate()));
            // the connection opened before still works, on its old certificate
            assertThat(TlsTools.get(open, "site.test", "/echo/2")).startsWith("HTTP/1.1 200");
            assertThat(open.getSession().getPeerCertificates()[0]).isEqualTo(first);
        }
        assertThat(backend.received()).extracting(r -> r.uri()).contains("/echo/1", "/echo/2");
    }

    @Test
    void aConfigReloadNamingOtherFilesServesThemToNewConnections() throws Exception {
        X509Certificate first = served();
        TestCerts.Issued next = ca.server("next", "site.test");
        proxy.writeConfig("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    tls:
                      certificates: [{certFile: next.pem, keyFile: next.key}]
                      reloadCheckInterval: 100ms
                clusters:
                  b: {endpoints: [{address: ${b}}]}
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: b}
                """, Map.of("b", backend.address()));
        assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(served()).isEqualTo(next.certificate()));
        assertThat(first).isNotEqualTo(next.certificate());
        // the new files are the watched ones now
        TestCerts.Issued renewed = ca.server("next", "site.test");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(served()).isEqualTo(renewed.certificate()));
    }

    @Test
    void aBrokenReplacementKeepsTheOldCertificate() throws Exception {
        X509Certificate first = served();
        certs.write("site.key", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        // proves an absence: through several checks of the files, the old certificate keeps serving
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(served()).isEqualTo(first));
        // a new certificate whose key does not match: still the old one
        TestCerts.Issued other = ca.server("other", "site.test");
        Files.copy(other.certFile(), dir.resolve("site.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(served()).isEqualTo(first));
        // the matching key arrives: the new certificate serves
        Files.copy(other.keyFile(), dir.resolve("site.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(served()).isEqualTo(other.certificate()));
    }
}
