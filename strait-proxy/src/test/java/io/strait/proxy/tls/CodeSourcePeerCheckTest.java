package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listener's and a cluster's certificate source set by code (a sidecar's SVID source): the source's trust bundle
 * is the client CAs in place of {@code clientAuth.caFile}, and its {@link PeerCertificateCheck} runs in the
 * handshake after the chain verified: a client or server certificate it refuses gets no connection.
 */
class CodeSourcePeerCheckTest {
    Path dir;
    TestCerts.Ca mesh;
    TestCerts.Ca other;
    TestBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("strait-peer-check");
        TestCerts certs = new TestCerts(dir);
        mesh = certs.ca("mesh");
        other = certs.ca("other");
        mesh.server("site", "site.test");
        backend = TestBackend.tls("b", TestCerts.Ca.serverContext(mesh.server("b", "b.test")));
    }

    @AfterEach
    void stop() {
        if (proxy != null) proxy.close();
        backend.close();
    }

    /** Refuses a peer whose subject has {@code CN=blocked}. */
    static final PeerCertificateCheck NOT_BLOCKED = chain -> {
        if (chain[0].getSubjectX500Principal().getName().contains("CN=blocked")) throw new CertificateException("blocked by the check");
    };

    ProxyFixture proxy(PeerCertificateCheck check, TestCerts.Issued own) throws Exception {
        InMemoryCertificateSource source = new InMemoryCertificateSource("svid", new CertificateMaterial(
                List.of(own.certificate(), mesh.certificate()), own.keys().getPrivate(), List.of(mesh.certificate())), check);
        // the file names the other CA: the source's bundle must be the one in use
        return ProxyFixture.start("""
                listeners:
                  - name: inbound
                    address: 127.0.0.1:0
                    tls:
                      certificates: [{certFile: site.pem, keyFile: site.key}]
                      clientAuth: {mode: require, caFile: other.pem}
                clusters:
                  b: {endpoints: [{address: ${b}}], tls: {sni: b.test}}
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: b}
                """, Map.of("b", backend.address()), FilterModule.NONE, dir,
                new CertificateSources().listener("inbound", source).cluster("b", source));
    }

    @Test
    void clientsAreVerifiedAgainstTheSourcesBundleAndItsCheck() throws Exception {
        TestCerts.Issued own = mesh.server("own", "site.test");
        proxy = proxy(NOT_BLOCKED, own);
        TestCerts.Issued good = mesh.client("good", "CN=good", null);
        TestCerts.Issued blocked = mesh.client("blocked", "CN=blocked", null);
        TestCerts.Issued stranger = other.client("stranger", "CN=stranger", null);
        try (SSLSocket s = TlsTools.connect(good.sslContext(mesh), proxy.server().port("inbound"), "site.test")) {
            assertThat(TlsTools.get(s, "site.test", "/echo/good")).startsWith("HTTP/1.1 200");
        }
        for (TestCerts.Issued refused : List.of(blocked, stranger)) {
            assertThatThrownBy(() -> {
                try (SSLSocket s = TlsTools.connect(refused.sslContext(mesh), proxy.server().port("inbound"), "site.test")) {
                    TlsTools.get(s, "site.test", "/echo/refused");
                }
            }).as(refused.certificate().getSubjectX500Principal().getName()).isInstanceOf(IOException.class);
        }
        assertThat(backend.received()).extracting(r -> r.uri()).containsOnly("/echo/good");
    }

    @Test
    void aServerTheCheckRefusesIsA502SayingWhy() throws Exception {
        TestCerts.Issued own = mesh.server("own", "site.test");
        PeerCertificateCheck refuseB = chain -> {
            if (chain[0].getSubjectX500Principal().getName().contains("b.test")) throw new CertificateException("server refused by the check");
        };
        proxy = proxy(refuseB, own);
        TestCerts.Issued good = mesh.client("good", "CN=good", null);
        try (SSLSocket s = TlsTools.connect(good.sslContext(mesh), proxy.server().port("inbound"), "site.test")) {
            String response = TlsTools.get(s, "site.test", "/echo/x");
            assertThat(response).startsWith("HTTP/1.1 502").contains("upstream_tls_failure").contains("server refused by the check");
        }
        assertThat(backend.requestCount()).isZero();
    }
}
