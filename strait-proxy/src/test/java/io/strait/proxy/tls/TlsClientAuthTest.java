package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client certificates: {@code require} refuses clients without one, a verified one becomes
 * X-Forwarded-Client-Cert (which routes can match on), and a client-sent X-Forwarded-Client-Cert never
 * reaches an upstream, on TLS and plain listeners alike.
 */
class TlsClientAuthTest {
    static TestCerts.Ca ca;
    static TestCerts.Ca partners;
    static TestCerts.Ca stranger;
    static TestCerts.Issued partner;
    static TestCerts.Issued outsider;
    static TestBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("strait-mtls");
        TestCerts certs = new TestCerts(dir);
        ca = certs.ca("ca");
        partners = certs.ca("partners-ca");
        stranger = certs.ca("stranger-ca");
        ca.server("site", "localhost");
        partner = partners.client("partner", "CN=partner-1,O=Acme Labs", "spiffe://acme.test/ns/a/sa/b", "partner.acme.test");
        outsider = stranger.client("outsider", "CN=outsider", null);
        backend = new TestBackend("b");
        proxy = ProxyFixture.start("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    tls:
                      certificates: [{certFile: site.pem, keyFile: site.key}]
                      clientAuth: {mode: require, caFile: partners-ca.pem}
                  - name: optional
                    address: 127.0.0.1:0
                    tls:
                      certificates: [{certFile: site.pem, keyFile: site.key}]
                      clientAuth: {mode: optional, caFile: partners-ca.pem}
                  - name: plain
                    address: 127.0.0.1:0
                clusters:
                  b: {endpoints: [{address: ${b}}]}
                routes:
                  - name: acme-only
                    match: {pathPrefix: /acme, headers: [{name: X-Forwarded-Client-Cert, regex: '.*Subject="CN=partner-1,O=Acme.*'}]}
                    cluster: b
                    rewrite: {prefix: /matched-acme}
                  - {name: all, match: {pathPrefix: /}, cluster: b}
                """, Map.of("b", backend.address()), io.strait.proxy.filter.FilterModule.NONE, dir);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    static HttpResponse<String> get(SSLContext ctx, String listener, String path, HttpClient.Version v, String xfcc)
            throws IOException, InterruptedException {
        HttpClient c = HttpClient.newBuilder().version(v).sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.server().port(listener) + path));
        if (xfcc != null) b.header("X-Forwarded-Client-Cert", xfcc);
        return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requireRefusesClientsWithoutACertificateOrWithOneFromAnotherCa() {
        assertThatThrownBy(() -> get(ca.clientContext(), "public", "/echo", HttpClient.Version.HTTP_1_1, null))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> get(outsider.sslContext(ca), "public", "/echo", HttpClient.Version.HTTP_1_1, null))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aVerifiedCertificateBecomesXForwardedClientCertReplacingTheClientsOwn() throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(partner.certificate().getEncoded()));
        for (HttpClient.Version v : HttpClient.Version.values()) {
            HttpResponse<String> res = get(partner.sslContext(ca), "public", "/echo/" + v, v, "Hash=forged;Subject=\"CN=admin\"");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.version()).isEqualTo(v);
            JsonNode headers = Json.parse(res.body()).get("headers");
            assertThat(headers.get("x-forwarded-client-cert").asText()).isEqualTo("Hash=" + hash
                    + ";Subject=\"CN=partner-1,O=Acme Labs\";URI=spiffe://acme.test/ns/a/sa/b;DNS=partner.acme.test");
        }
    }

    @Test
    void routesMatchOnTheClientCertificate() throws Exception {
        HttpResponse<String> res = get(partner.sslContext(ca), "public", "/acme/x", HttpClient.Version.HTTP_2, null);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(Json.parse(res.body()).get("uri").asText()).isEqualTo("/matched-acme/x");
        // without a certificate a forged header does not match: the request takes the catch-all route
        HttpResponse<String> anon = get(ca.clientContext(), "optional", "/acme/x", HttpClient.Version.HTTP_1_1,
                "Hash=x;Subject=\"CN=partner-1,O=Acme\"");
        assertThat(anon.statusCode()).isEqualTo(200);
        assertThat(Json.parse(anon.body()).get("uri").asText()).isEqualTo("/acme/x");
        assertThat(Json.parse(anon.body()).get("headers").has("x-forwarded-client-cert")).isFalse();
    }

    @Test
    void optionalServesClientsWithAndWithoutACertificate() throws Exception {
        HttpResponse<String> anon = get(ca.clientContext(), "optional", "/echo", HttpClient.Version.HTTP_2, null);
        assertThat(anon.statusCode()).isEqualTo(200);
        assertThat(Json.parse(anon.body()).get("headers").has("x-forwarded-client-cert")).isFalse();
        HttpResponse<String> withCert = get(partner.sslContext(ca), "optional", "/echo", HttpClient.Version.HTTP_2, null);
        assertThat(Json.parse(withCert.body()).get("headers").get("x-forwarded-client-cert").asText()).contains("CN=partner-1");
        // a certificate that is sent must verify (curl sends it whatever CAs the server names; the JDK would not)
        int port = proxy.server().port("optional");
        TlsTools.Run r = TlsTools.run("curl", "-sS", "--cacert", ca.certFile.toString(), "--cert", outsider.certFile().toString(),
                "--key", outsider.keyFile().toString(), "https://localhost:" + port + "/echo");
        assertThat(r.exit()).as(r.output()).isNotZero();
        TlsTools.Run good = TlsTools.run("curl", "-sS", "--cacert", ca.certFile.toString(), "--cert", partner.certFile().toString(),
                "--key", partner.keyFile().toString(), "https://localhost:" + port + "/echo");
        assertThat(good.exit()).as(good.output()).isZero();
        assertThat(good.output()).contains("CN=partner-1");
    }

    @Test
    void aClientSentXForwardedClientCertIsRemovedOnAPlainListener() throws Exception {
        String raw = ProxyFixture.substitute("GET /echo HTTP/1.1\r\nHost: a\r\nX-Forwarded-Client-Cert: Hash=1;Subject=\"CN=admin\"\r\n"
                + "x-forwarded-client-cert: second\r\nConnection: close\r\n\r\n", Map.of());
        String res;
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.server().port("plain"))) {
            s.setSoTimeout(3000);
            s.getOutputStream().write(raw.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            res = ProxyFixture.readUntilQuiet(s.getInputStream());
        }
        assertThat(res).startsWith("HTTP/1.1 200");
        assertThat(res.substring(res.indexOf('{'))).doesNotContainIgnoringCase("x-forwarded-client-cert").contains("\"uri\":\"/echo\"");
    }
}
