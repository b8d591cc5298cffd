package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.testing.LoadLoop;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster's client certificate and CA bundle replaced under steady load, through a certificate
 * source set by code and through the files: new connections use the new material, open ones finish
 * their requests, and not one request fails. The backend asks for client certificates from either
 * CA and switches its own certificate to the second CA halfway, as a real rotation does.
 */
class UpstreamCertificateSwapTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    Path dir;
    TestCerts certs;
    TestCerts.Ca ca;
    TestCerts.Ca ca2;
    TestBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("strait-upstream-swap");
        certs = new TestCerts(dir);
        ca = certs.ca("ca");
        ca2 = certs.ca("ca2");
        backend = TestBackend.tls("users", TestCerts.Ca.serverContext(ca.server("users", "users.internal"), ca, ca2));
    }

    @AfterEach
    void stop() {
        if (proxy != null) proxy.close();
        backend.close();
    }

    /** Connections retire after a few requests, so handshakes go on throughout the load. */
    ProxyFixture proxy(String tls, CertificateSources sources) throws Exception {
        Path own = Files.createTempDirectory(dir, "proxy");
        return ProxyFixture.start("""
                clusters:
                  users:
                    endpoints: [{address: ${b}}]
                    pool: {maxRequestsPerConnection: 5}
                    tls: %s
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: users}
                """.formatted(tls), Map.of("b", backend.address()), FilterModule.NONE, own, sources);
    }

    /** Waits until {@code more} further requests succeeded, and new handshakes happened meanwhile. */
    void moreRequests(LoadLoop load, int more) {
        int ok = load.ok();
        int handshakes = backend.handshakes();
        await().atMost(WAIT).until(() -> load.ok() >= ok + more && backend.handshakes() > handshakes + 2);
    }

    @Test
    void aSourceSetByCodeSwapsClientCertificateAndTrustBundleWithoutAFailedRequest() throws Exception {
        TestCerts.Issued first = ca.client("gw1", "CN=gateway-1", null);
        TestCerts.Issued second = ca2.client("gw2", "CN=gateway-2", null);
        InMemoryCertificateSource source = new InMemoryCertificateSource("users-svid",
                new CertificateMaterial(List.of(first.certificate(), ca.certificate()), first.keys().getPrivate(), List.of(ca.certificate())));
        proxy = proxy("{sni: users.internal}", new CertificateSources().cluster("users", source));
        try (LoadLoop load = LoadLoop.start(4, () -> proxy.get("/echo/load"))) {
            moreRequests(load, 50);
            assertThat(backend.clientSubjects()).containsOnly("CN=gateway-1");

            source.set(List.of(second.certificate(), ca2.certificate()), second.keys().getPrivate(), List.of(ca.certificate()));
            await().atMost(WAIT).until(() -> backend.clientSubjects().contains("CN=gateway-2"));
            moreRequests(load, 50);

            // the servers move to the second CA: trust both, switch the server, then trust the new one alone
            List<X509Certificate> chain = List.of(second.certificate(), ca2.certificate());
            source.set(chain, second.keys().getPrivate(), List.of(ca.certificate(), ca2.certificate()));
            backend.tlsContext(TestCerts.Ca.serverContext(ca2.server("users2", "users.internal"), ca, ca2));
            moreRequests(load, 50);
            int since = backend.clientSubjects().size();
            source.set(chain, second.keys().getPrivate(), List.of(ca2.certificate()));
            moreRequests(load, 50);
            load.close();
            assertThat(load.failures()).isEmpty();
            // long after the first swap, every new connection presents the new certificate
            assertThat(backend.clientSubjects().subList(since, backend.clientSubjects().size())).containsOnly("CN=gateway-2");
        }
        assertThat(proxy.get("/echo/after").statusCode()).isEqualTo(200);
    }

    @Test
    void changedFilesSwapClientCertificateAndCaBundleWithoutAFailedRequest() throws Exception {
        ca.client("client", "CN=gateway-1", null);
        Files.copy(ca.certFile, dir.resolve("bundle.pem"));
        proxy = proxy("{sni: users.internal, caFile: ../bundle.pem, certFile: ../client.pem, keyFile: ../client.key,"
                + " reloadCheckInterval: 50ms}", new CertificateSources());
        try (LoadLoop load = LoadLoop.start(4, () -> proxy.get("/echo/load"))) {
            moreRequests(load, 50);
            // written one file after the other, as a renewal script would: the mismatched pair in between is not used
            ca2.client("client", "CN=gateway-2", null);
            await().atMost(WAIT).until(() -> backend.clientSubjects().contains("CN=gateway-2"));
            moreRequests(load, 50);

            certs.write("bundle.pem", Files.readString(ca.certFile) + Files.readString(ca2.certFile));
            moreRequests(load, 50);
            backend.tlsContext(TestCerts.Ca.serverContext(ca2.server("users2", "users.internal"), ca, ca2));
            moreRequests(load, 50);
            certs.write("bundle.pem", Files.readString(ca2.certFile));
            moreRequests(load, 50);
            load.close();
            assertThat(load.failures()).isEmpty();
        }
        assertThat(proxy.get("/echo/after").statusCode()).isEqualTo(200);
    }
}
