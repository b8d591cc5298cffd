package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS from the proxy to real TLS backends: SNI, the server certificate's check (CA, DNS and URI
 * subjectAltNames), client certificates, HTTP/2 by ALPN, health checks, and the error a client gets
 * when the upstream's certificate is wrong.
 */
class UpstreamTlsTest {
    static final String SPIFFE_USERS = "spiffe://example.org/ns/default/sa/users";

    Path dir;
    TestCerts certs;
    TestCerts.Ca ca;
    TestCerts.Issued server;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void certs() throws Exception {
        dir = Files.createTempDirectory("strait-upstream-tls");
        certs = new TestCerts(dir);
        ca = certs.ca("ca");
        server = ca.serverWithUri("users", SPIFFE_USERS, "users.internal");
        ca.client("client", "CN=gateway", "spiffe://example.org/ns/default/sa/gateway");
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    TestBackend backend(TestCerts.Ca... clientCas) throws Exception {
        TestBackend b = TestBackend.tls("users", TestCerts.Ca.serverContext(server, clientCas));
        open.add(b);
        return b;
    }

    /** A proxy in a folder of its own (its config file is watched); file names in {@code cluster} are the certificates'. */
    ProxyFixture proxy(TestBackend b, String cluster) throws Exception {
        Path own = Files.createTempDirectory(dir, "proxy");
        String section = cluster.replaceAll("(caFile|certFile|keyFile): ", "$1: ../");
        ProxyFixture p = ProxyFixture.start("""
                clusters:
                  users:
                    endpoints: [{address: ${b}}]
                """ + section.indent(4) + """
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: users}
                """, Map.of("b", b.address()), FilterModule.NONE, own);
        open.add(p);
        return p;
    }

    @Test
    void httpsUpstreamGetsTheSniNameAndItsDnsNameIsChecked() throws Exception {
        TestBackend b = backend();
        ProxyFixture p = proxy(b, "tls: {sni: users.internal, caFile: ca.pem}");
        HttpResponse<String> r = p.get("/echo/a");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Json.parse(r.body()).get("uri").asText()).isEqualTo("/echo/a");
        assertThat(b.serverNames()).containsOnly("users.internal");
        assertThat(b.clientSubjects()).containsOnly(""); // no client certificate asked for, none sent
    }

    @Test
    void aSpiffeIdIsCheckedAgainstTheUriSubjectAltName() throws Exception {
        TestBackend b = backend();
        ProxyFixture p = proxy(b, "tls: {sni: users.internal, caFile: ca.pem, verifySubjectAltName: [\"" + SPIFFE_USERS + "\"]}");
        assertThat(p.get("/echo/spiffe").statusCode()).isEqualTo(200);
    }

    @Test
    void aCertificateForAnotherNameIsA502ThatSaysSo() throws Exception {
        TestBackend b = backend();
        ProxyFixture p = proxy(b, "tls: {sni: users.internal, caFile: ca.pem, verifySubjectAltName: [spiffe://example.org/ns/default/sa/orders]}");
        HttpResponse<String> r = p.get("/echo/wrong");
        assertThat(r.statusCode()).isEqualTo(502);
        JsonNode body = Json.parse(r.body());
        assertThat(body.get("error").asText()).isEqualTo("upstream_tls_failure");
        assertThat(body.get("message").asText())
                .isEqualTo("TLS to " + b.address() + " (users.internal): the certificate does not match "
                        + "spiffe://example.org/ns/default/sa/orders; it names DNS:users.internal, URI:" + SPIFFE_USERS);
        assertThat(b.requestCount()).isZero();
    }

    @Test
    void theSniNameIsTheDefaultNameToCheck() throws Exception {
        TestBackend b = backend();
        ProxyFixture p = proxy(b, "tls: {sni: orders.internal, caFile: ca.pem}");
        HttpResponse<String> r = p.get("/echo/sni");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(Json.parse(r.body()).get("message").asText()).contains("the certificate does not match orders.internal");
        assertThat(b.serverNames()).contains("orders.internal");
    }

    @Test
    void aServerFromAnotherCaIsNotTrusted() throws Exception {
        certs.ca("other");
        TestBackend b = backend();
        ProxyFixture p = proxy(b, "tls: {sni: users.internal, caFile: other.pem}");
        HttpResponse<String> r = p.get("/echo/untrusted");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(Json.parse(r.body()).get("message").asText())
                .startsWith("TLS to " + b.address() + " (users.internal): the certificate is not trusted by clusters.users.tls.caFile '" + dir.resolve("other.pem") + "' (");
        // the system trust store does not know the test CA either
        ProxyFixture system = proxy(b, "tls: {sni: users.internal}");
        assertThat(Json.parse(system.get("/x").body()).get("message").asText()).contains("not trusted by the system trust store");
    }

    @Test
    void mutualTlsIsRefusedWithoutAClientCertificateAndAcceptedWithOne() throws Exception {
        TestBackend b = backend(ca);
        ProxyFixture without = proxy(b, "tls: {sni: users.internal, caFile: ca.pem}");
        HttpResponse<String> refused = without.get("/echo/anonymous");
        assertThat(refused.statusCode()).isEqualTo(502);
        // TLS 1.3: the server refuses the missing certificate after the handshake, with an alert
        assertThat(Json.parse(refused.body()).get("error").asText()).isEqualTo("upstream_tls_failure");
        assertThat(Json.parse(refused.body()).get("message").asText()).startsWith("TLS to " + b.address() + ": the server ended the connection: ")
                .containsIgnoringCase("certificate_required");
        assertThat(b.requestCount()).isZero();

        ProxyFixture with = proxy(b, "tls: {sni: users.internal, caFile: ca.pem, certFile: client.pem, keyFile: client.key}");
        assertThat(with.get("/echo/mtls").statusCode()).isEqualTo(200);
        assertThat(b.clientSubjects()).contains("CN=gateway");
        assertThat(b.received()).extracting(r -> r.uri()).containsExactly("/echo/mtls");
    }

    @Test
    void http2OverTlsIsChosenByAlpn() throws Exception {
        TestBackend b = backend();
        ProxyFixture p = proxy(b, "protocol: h2\ntls: {sni: users.internal, caFile: ca.pem}");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = p.get("/echo/h2-" + i);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Json.parse(r.body()).get("headers").has("x-http2-stream-id")).isTrue();
        }
        assertThat(b.handshakes()).isEqualTo(1); // one multiplexed connection
    }

    @Test
    void healthChecksOfAnH2ClusterOfferHttp1() throws Exception {
        TestBackend b = backend();
        ProxyFixture p = proxy(b, "protocol: h2\nhealthCheck: {path: /healthz, interval: 100ms}\ntls: {sni: users.internal, caFile: ca.pem}");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.received().stream().anyMatch(r -> r.uri().equals("/healthz")));
        Endpoint e = p.server().snapshot().clusters().get("users").endpoints().get(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> e.lastCheck() != null);
        assertThat(e.lastCheck().passed()).as(e.lastCheck().detail()).isTrue();
        assertThat(Json.parse(p.get("/echo/h2").body()).get("headers").has("x-http2-stream-id")).isTrue();
    }

    @Test
    void h2AgainstAServerThatDoesNotChooseItIsA502ThatSaysSo() throws Exception {
        io.netty.handler.ssl.SslContext http1Only = io.netty.handler.ssl.SslContextBuilder
                .forServer(server.keys().getPrivate(), server.certificate(), server.issuer())
                .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                        io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        "http/1.1"))
                .build();
        TestBackend b = TestBackend.tls("http1-only", http1Only);
        open.add(b);
        ProxyFixture p = proxy(b, "protocol: h2\ntls: {sni: users.internal, caFile: ca.pem}");
        HttpResponse<String> r = p.get("/echo/h2");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(Json.parse(r.body()).get("message").asText()).isEqualTo("TLS to " + b.address()
                + " (users.internal): the server did not choose HTTP/2 by ALPN (it chose nothing); use protocol: http1");
        assertThat(b.requestCount()).isZero();
    }

    @Test
    void healthChecksUseTheSameTls() throws Exception {
        TestBackend b = backend(ca);
        ProxyFixture p = proxy(b, """
                healthCheck: {path: /healthz, interval: 100ms}
                tls: {sni: users.internal, caFile: ca.pem, certFile: client.pem, keyFile: client.key}""");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.received().stream().anyMatch(r -> r.uri().equals("/healthz")));
        assertThat(b.clientSubjects()).contains("CN=gateway");
        Endpoint e = p.server().snapshot().clusters().get("users").endpoints().get(0);
        assertThat(e.healthy()).isTrue();
        b.failHealthChecks(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> !e.healthy());

        ProxyFixture wrong = proxy(b, """
                healthCheck: {path: /healthz, interval: 100ms}
                tls: {sni: users.internal, caFile: ca.pem, certFile: client.pem, keyFile: client.key, verifySubjectAltName: [orders.internal]}""");
        Endpoint w = wrong.server().snapshot().clusters().get("users").endpoints().get(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> !w.healthy());
        assertThat(w.lastCheck().detail()).contains("the certificate does not match orders.internal");
    }

    @Test
    void aTlsFailureIsAConnectFailureThatIsRetriedOnAnotherEndpoint() throws Exception {
        TestBackend good = backend();
        TestBackend bad = TestBackend.tls("impostor", TestCerts.Ca.serverContext(certs.ca("other").server("impostor", "users.internal")));
        open.add(bad);
        ProxyFixture p = ProxyFixture.start("""
                clusters:
                  users:
                    endpoints: [{address: ${good}}, {address: ${bad}}]
                    tls: {sni: users.internal, caFile: ../ca.pem}
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: users}
                """, Map.of("good", good.address(), "bad", bad.address()), FilterModule.NONE, Files.createTempDirectory(dir, "proxy"));
        open.add(p);
        for (int i = 0; i < 6; i++) assertThat(p.get("/echo/" + i).statusCode()).isEqualTo(200); // connect failures are retried by default
        assertThat(bad.serverNames()).isNotEmpty(); // it was tried, and refused at the handshake
        assertThat(bad.requestCount()).isZero();
        assertThat(good.requestCount()).isEqualTo(6);
    }

    @Test
    void theAdminConfigShowsTheTlsSectionWithPathsOnly() throws Exception {
        TestBackend b = backend(ca);
        ProxyFixture p = proxy(b, "tls: {sni: users.internal, caFile: ca.pem, certFile: client.pem, keyFile: client.key}");
        String config = p.admin("GET", "/config").body();
        JsonNode tls = Json.parse(config).get("clusters").get("users").get("tls");
        assertThat(tls.get("sni").asText()).isEqualTo("users.internal");
        assertThat(tls.get("keyFile").asText()).isEqualTo(dir.resolve("client.key").toString());
        assertThat(tls.get("caFile").asText()).isEqualTo(dir.resolve("ca.pem").toString());
        assertThat(config).doesNotContain("PRIVATE KEY");
    }
}
