package io.strait.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API over TLS: a client certificate its {@code clientAuth} CA trusts authorizes writes (on a
 * non-loopback address without a token); TLS switched on and off by a reload at the same address.
 */
class AdminTlsTest {
    static final String ROUTES = """
            observability: {accessLog: {enabled: false}}
            listeners:
              - {name: public, address: 127.0.0.1:0}
            clusters:
              a: {endpoints: [{address: ${a}}]}
            routes:
              - {name: web, match: {pathPrefix: /}, cluster: a}
            """;
    static final String ADMIN_TLS = "tls: {certificates: [{certFile: admin.pem, keyFile: admin.key}], "
            + "clientAuth: {mode: optional, caFile: clients.pem}}";

    Path dir;
    TestCerts.Ca ca;
    TestCerts.Issued ops;
    TestCerts.Issued intruder;
    TestBackend a;
    ProxyFixture proxy;
    Map<String, String> vars;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("strait-admin-tls");
        TestCerts certs = new TestCerts(dir);
        ca = certs.ca("ca");
        ca.server("admin", "admin.test");
        TestCerts.Ca clients = certs.ca("clients");
        ops = clients.client("ops", "CN=ops", null);
        intruder = certs.ca("other").client("intruder", "CN=intruder", null);
        a = new TestBackend("a");
        vars = Map.of("a", a.address());
    }

    @AfterEach
    void stop() {
        if (proxy != null) proxy.close();
        a.close();
    }

    @Test
    void aTrustedClientCertificateAuthorizesWrites() throws Exception {
        String config = "admin: {address: 0.0.0.0:0, " + ADMIN_TLS + "}\n" + ROUTES;
        proxy = ProxyFixture.start(config, vars, io.strait.proxy.filter.FilterModule.NONE, dir);
        int port = proxy.server().adminPort();
        String doc = ProxyFixture.substitute(config, vars);

        assertThat(request(ca.clientContext(), port, "GET", "/ready", null)).startsWith("200");
        String refused = request(ca.clientContext(), port, "PUT", "/config", doc);
        assertThat(refused).startsWith("403").contains("client certificate");
        assertThat(request(ops.sslContext(ca), port, "PUT", "/config", doc)).startsWith("200").contains("\"generation\" : 2");
        assertThat(request(ops.sslContext(ca), port, "POST", "/reload", null)).startsWith("200");
        String other;
        try {
            other = request(intruder.sslContext(ca), port, "PUT", "/config", doc);
        } catch (IOException handshakeRefused) {
            other = "handshake refused";
        }
        assertThat(other).doesNotStartWith("200");
        assertThat(proxy.server().snapshot().generation()).isEqualTo(3);
    }

    @Test
    void aReloadSwitchesTlsOnAndOffAtTheSameAddress() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        String plain = "admin: {address: 127.0.0.1:" + port + "}\n" + ROUTES;
        String secure = "admin: {address: 127.0.0.1:" + port + ", " + ADMIN_TLS + "}\n" + ROUTES;
        proxy = ProxyFixture.start(plain, vars, io.strait.proxy.filter.FilterModule.NONE, dir);
        var on = proxy.send(java.net.http.HttpRequest.newBuilder(proxy.adminUri("/config"))
                .header("Content-Type", "application/yaml")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(ProxyFixture.substitute(secure, vars))).build());
        assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
        assertThat(proxy.server().adminPort()).isEqualTo(port);
        assertThat(request(ca.clientContext(), port, "GET", "/ready", null)).startsWith("200");

        // loopback: writes need no certificate; TLS off again
        String off = request(ca.clientContext(), port, "PUT", "/config", ProxyFixture.substitute(plain, vars));
        assertThat(off).startsWith("200");
        assertThat(proxy.admin("GET", "/ready").statusCode()).isEqualTo(200);
        assertThat(Json.parse(proxy.admin("GET", "/config").body()).get("admin").get("tls").isNull()).isTrue();
    }

    /** One request over TLS (SNI admin.test): "status body". */
    private static String request(SSLContext ctx, int port, String method, String path, String body) throws IOException {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("admin.test")));
            s.setSSLParameters(p);
            s.setSoTimeout(5000);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: admin.test\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/yaml\r\nContent-Length: " + bytes.length + "\r\n") + "\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            HttpHead h = HttpHead.read(in);
            return h.status() + " " + new String(in.readNBytes((int) Math.max(0, h.contentLength())), StandardCharsets.UTF_8);
        }
    }
}
