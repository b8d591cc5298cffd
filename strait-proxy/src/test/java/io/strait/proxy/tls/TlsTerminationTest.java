package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A TLS listener with two certificates, against real clients: openssl s_client (SNI, versions, ALPN),
 * curl, and the JDK's HttpClient over HTTP/2 and HTTP/1.1.
 */
class TlsTerminationTest {
    static Path dir;
    static TestCerts certs;
    static TestCerts.Ca ca;
    static TestCerts.Issued api;
    static TestCerts.Issued admin;
    static TestBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("strait-tls");
        certs = new TestCerts(dir);
        ca = certs.ca("ca");
        api = ca.server("api", "api.test", "localhost");
        admin = ca.server("admin", "admin.test", "*.admin.test");
        backend = new TestBackend("b");
        proxy = ProxyFixture.start("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    tls:
                      certificates:
                        - {certFile: ${dir}/api.pem, keyFile: ${dir}/api.key}
                        - {certFile: ${dir}/admin.pem, keyFile: ${dir}/admin.key}
                      hsts: {maxAge: 1d, includeSubDomains: true}
                clusters:
                  b: {endpoints: [{address: ${b}}]}
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: b}
                """, Map.of("b", backend.address(), "dir", dir.toString()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void sniPicksTheCertificateByExactAndWildcardName() {
        assertThat(TlsTools.servedCertificate(TlsTools.sClient(proxy.port(), "-servername", "admin.test")))
                .isEqualTo(admin.certificate());
        assertThat(TlsTools.servedCertificate(TlsTools.sClient(proxy.port(), "-servername", "x.admin.test")))
                .isEqualTo(admin.certificate());
        assertThat(TlsTools.servedCertificate(TlsTools.sClient(proxy.port(), "-servername", "api.test")))
                .isEqualTo(api.certificate());
        assertThat(TlsTools.servedCertificate(TlsTools.sClient(proxy.port(), "-servername", "api.test")).getSubjectX500Principal().getName())
                .isEqualTo("CN=api.test");
    }

    @Test
    void theFirstCertificateServesClientsWithoutSniOrWithAnUnknownName() {
        assertThat(TlsTools.servedCertificate(TlsTools.sClient(proxy.port(), "-noservername"))).isEqualTo(api.certificate());
        assertThat(TlsTools.servedCertificate(TlsTools.sClient(proxy.port(), "-servername", "other.test"))).isEqualTo(api.certificate());
        // one label only: a.b.admin.test is not under *.admin.test
        assertThat(TlsTools.servedCertificate(TlsTools.sClient(proxy.port(), "-servername", "a.b.admin.test"))).isEqualTo(api.certificate());
    }

    @Test
    void tls12And13AreAcceptedAndTls11IsRefused() {
        TlsTools.Run v12 = TlsTools.sClient(proxy.port(), "-servername", "api.test", "-tls1_2");
        assertThat(v12.output()).contains("TLSv1.2").containsPattern("Cipher is ECDHE-ECDSA-(AES\\d+-GCM|CHACHA20)");
        TlsTools.Run v13 = TlsTools.sClient(proxy.port(), "-servername", "api.test", "-tls1_3");
        assertThat(v13.output()).contains("TLSv1.3");
        // SECLEVEL=0 lets the client offer TLS 1.1 at all: the refusal is the server's
        TlsTools.Run v11 = TlsTools.sClient(proxy.port(), "-servername", "api.test", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        assertThat(v11.exit()).as(v11.output()).isNotZero();
        assertThat(v11.output()).doesNotContain("BEGIN CERTIFICATE");
    }

    @Test
    void weakTls12CiphersAreRefused() {
        TlsTools.Run cbc = TlsTools.sClient(proxy.port(), "-servername", "api.test", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA");
        assertThat(cbc.exit()).as(cbc.output()).isNotZero();
    }

    @Test
    void alpnOffersH2AndHttp11() {
        assertThat(TlsTools.sClient(proxy.port(), "-servername", "api.test", "-alpn", "h2").output()).contains("ALPN protocol: h2");
        assertThat(TlsTools.sClient(proxy.port(), "-servername", "api.test", "-alpn", "http/1.1").output())
                .contains("ALPN protocol: http/1.1");
    }

    @Test
    void http2OverTlsReachesTheBackendWithForwardedProtoHttps() throws Exception {
        HttpResponse<String> res = client(HttpClient.Version.HTTP_2).send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.port() + "/echo/h2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.version()).isEqualTo(HttpClient.Version.HTTP_2);
        JsonNode body = Json.parse(res.body());
        assertThat(body.get("uri").asText()).isEqualTo("/echo/h2");
        assertThat(body.get("headers").get("x-forwarded-proto").asText()).isEqualTo("https");
        assertThat(res.headers().firstValue("strict-transport-security")).hasValue("max-age=86400; includeSubDomains");
    }

    @Test
    void http11OverTlsReachesTheBackendWithForwardedProtoHttps() throws Exception {
        HttpResponse<String> res = client(HttpClient.Version.HTTP_1_1).send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.port() + "/echo/h1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(Json.parse(res.body()).get("headers").get("x-forwarded-proto").asText()).isEqualTo("https");
        assertThat(res.headers().firstValue("strict-transport-security")).hasValue("max-age=86400; includeSubDomains");
    }

    @Test
    void curlVerifiesTheCertificateOfTheNameItAsksFor() {
        for (String version : new String[] {"--http2", "--http1.1"}) {
            TlsTools.Run r = TlsTools.run("curl", "-sS", version, "--cacert", ca.certFile.toString(),
                    "--resolve", "admin.test:" + proxy.port() + ":127.0.0.1",
                    "https://admin.test:" + proxy.port() + "/echo/curl", "-D", "-");
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).containsPattern("HTTP/(2|1\\.1) 200").contains("\"x-forwarded-proto\":\"https\"")
                    .containsIgnoringCase("strict-transport-security: max-age=86400");
        }
    }

    @Test
    void plaintextOnTheTlsPortIsClosedWithoutAnAnswer() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String got = ProxyFixture.readUntilQuiet(s.getInputStream());
            assertThat(got).doesNotContain("HTTP/1.1").containsAnyOf("<EOF>", "<RESET>");
        }
    }

    static HttpClient client(HttpClient.Version v) {
        return HttpClient.newBuilder().version(v).sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }
}
