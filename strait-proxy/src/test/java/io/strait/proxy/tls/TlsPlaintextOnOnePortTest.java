package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
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
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code tls.allowPlaintext} (a mesh's PERMISSIVE mode): one port takes TLS (HTTP/1.1 and HTTP/2 by ALPN, with
 * an optional client certificate) and plaintext (HTTP/1.1 and h2c prior knowledge), told apart by the first
 * byte. Without it a TLS port refuses plaintext, as before. A client-sent X-Forwarded-Client-Cert never passes
 * on the plaintext side either.
 */
class TlsPlaintextOnOnePortTest {
    static Path dir;
    static TestCerts.Ca ca;
    static TestCerts.Issued client;
    static TestBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("strait-permissive");
        TestCerts certs = new TestCerts(dir);
        ca = certs.ca("ca");
        ca.server("site", "localhost");
        client = ca.client("client", "CN=workload", "spiffe://cluster.local/ns/shop/sa/web");
        backend = new TestBackend("b");
        proxy = ProxyFixture.start("""
                listeners:
                  - name: both
                    address: 127.0.0.1:0
                    tls:
                      certificates: [{certFile: site.pem, keyFile: site.key}]
                      clientAuth: {mode: optional, caFile: ca.pem}
                      allowPlaintext: true
                  - name: tlsOnly
                    address: 127.0.0.1:0
                    tls:
                      certificates: [{certFile: site.pem, keyFile: site.key}]
                clusters:
                  b: {endpoints: [{address: ${b}}]}
                routes:
                  - {name: all, match: {pathPrefix: /}, cluster: b}
                """, Map.of("b", backend.address()), io.strait.proxy.filter.FilterModule.NONE, dir);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    static HttpResponse<String> get(String scheme, SSLContext ctx, String listener, HttpClient.Version v) throws Exception {
        HttpClient.Builder b = HttpClient.newBuilder().version(v).connectTimeout(Duration.ofSeconds(5));
        if (ctx != null) b.sslContext(ctx);
        return b.build().send(HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + proxy.server().port(listener) + "/echo"))
                .header("X-Forwarded-Client-Cert", "URI=spiffe://cluster.local/ns/ops/sa/admin").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void plaintextHttp1AndH2cAreServedOnTheTlsPort() throws Exception {
        HttpResponse<String> plain = get("http", null, "both", HttpClient.Version.HTTP_1_1);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(Json.parse(plain.body()).get("headers").has("x-forwarded-client-cert")).isFalse();
        TlsTools.Run h2c = TlsTools.run("curl", "-sS", "--http2-prior-knowledge", "-w", "\\n%{http_version}",
                "http://127.0.0.1:" + proxy.server().port("both") + "/echo/h2c");
        assertThat(h2c.exit()).as(h2c.output()).isZero();
        assertThat(h2c.output()).contains("/echo/h2c").endsWith("\n2");
    }

    @Test
    void tlsWithAndWithoutAClientCertificateIsServedOnTheSamePort() throws Exception {
        for (HttpClient.Version v : HttpClient.Version.values()) {
            HttpResponse<String> anon = get("https", ca.clientContext(), "both", v);
            assertThat(anon.statusCode()).isEqualTo(200);
            assertThat(anon.version()).isEqualTo(v);
            assertThat(Json.parse(anon.body()).get("headers").has("x-forwarded-client-cert")).isFalse();
            HttpResponse<String> mtls = get("https", client.sslContext(ca), "both", v);
            assertThat(Json.parse(mtls.body()).get("headers").get("x-forwarded-client-cert").asText())
                    .contains("URI=spiffe://cluster.local/ns/shop/sa/web");
        }
    }

    @Test
    void aTlsPortWithoutAllowPlaintextStillRefusesPlaintext() {
        assertThatThrownBy(() -> get("http", null, "tlsOnly", HttpClient.Version.HTTP_1_1)).isInstanceOf(IOException.class);
    }

    @Test
    void allowPlaintextIsReadAndRefusedOnTheAdminApi() throws Exception {
        String tls = "{certificates: [{certFile: site.pem, keyFile: site.key}], allowPlaintext: true}";
        assertThat(ConfigLoader.parse("listeners:\n  - {name: l, address: 127.0.0.1:0, tls: " + tls + "}\n", "t", dir)
                .listeners().get(0).tls().allowPlaintext()).isTrue();
        assertThat(ConfigLoader.parse("listeners:\n  - {name: l, address: 127.0.0.1:0, tls: {certificates: [{certFile: site.pem,"
                + " keyFile: site.key}]}}\n", "t", dir).listeners().get(0).tls().allowPlaintext()).isFalse();
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(
                "admin: {address: 127.0.0.1:0, tls: " + tls + "}\n", "t", dir));
        assertThat(e.errors()).anyMatch(m -> m.contains("admin.tls.allowPlaintext: is for listeners"));
    }
}
