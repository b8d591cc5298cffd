package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listener whose default certificate comes from a source set by code (as a control plane pushes
 * it): served in place of the file, and replaced by {@code set()} for the next handshake while an
 * open connection keeps its session.
 */
class ListenerCertificateSourceTest {
    Path dir;
    TestCerts.Ca ca;
    TestBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("strait-listener-source");
        ca = new TestCerts(dir).ca("ca");
        ca.server("site", "site.test");
        backend = new TestBackend("b");
    }

    @AfterEach
    void stop() {
        if (proxy != null) proxy.close();
        backend.close();
    }

    private static CertificateMaterial material(TestCerts.Issued cert) {
        return new CertificateMaterial(List.of(cert.certificate(), cert.issuer()), cert.keys().getPrivate(), List.of());
    }

    private X509Certificate served() throws Exception {
        try (SSLSocket s = TlsTools.connect(ca.clientContext(), proxy.port(), "site.test")) {
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void aSourceSetByCodeServesAndSwapsTheDefaultCertificate() throws Exception {
        TestCerts.Issued pushed = ca.server("pushed", "site.test");
        InMemoryCertificateSource source = new InMemoryCertificateSource("site-svid", material(pushed));
        proxy = ProxyFixture.start("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    tls: {certificates: [{certFile: site.pem, keyFile: site.key}]}
                clusters:
                  b: {endpoints: [{address: ${b}}]}
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: b}
                """, Map.of("b", backend.address()), FilterModule.NONE, dir, new CertificateSources().listener("public", source));
        assertThat(served()).isEqualTo(pushed.certificate());
        try (SSLSocket open = TlsTools.connect(ca.clientContext(), proxy.port(), "site.test")) {
            assertThat(TlsTools.get(open, "site.test", "/echo/1")).startsWith("HTTP/1.1 200");
            TestCerts.Issued renewed = ca.server("renewed", "site.test");
            source.set(material(renewed));
            assertThat(served()).isEqualTo(renewed.certificate()); // set() returned: the next handshake has it
            assertThat(TlsTools.get(open, "site.test", "/echo/2")).startsWith("HTTP/1.1 200");
            assertThat(open.getSession().getPeerCertificates()[0]).isEqualTo(pushed.certificate());
        }
    }

    @Test
    void materialWhoseKeyIsNotItsCertificatesIsRefusedAndTheOldStays() throws Exception {
        TestCerts.Issued one = ca.server("one", "site.test");
        TestCerts.Issued two = ca.server("two", "site.test");
        InMemoryCertificateSource source = new InMemoryCertificateSource("s", material(one));
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> source.set(List.of(two.certificate()), one.keys().getPrivate(), List.of()));
        assertThat(e).hasMessageStartingWith("the private key is not the key of the chain's first certificate");
        assertThat(source.current().chain().get(0)).isEqualTo(one.certificate());
        assertThat(source.current().toString()).contains("privateKey=***").doesNotContain("BEGIN");
    }
}
