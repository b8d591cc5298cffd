package io.strait.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.LoadLoop;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.testing.TestCerts;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A configuration applied through {@code PUT /config} changes listeners (added with TLS, removed, moved,
 * refused when a port is taken) and the access log, without a failed request on the listeners it keeps;
 * and listeners serve only the routes they name.
 */
class ListenerReloadTest {
    static final String BASE = """
            admin: {address: 127.0.0.1:0}
            observability: {accessLog: {enabled: false}}
            clusters:
              a: {endpoints: [{address: ${a}}]}
            routes:
              - {name: web, match: {pathPrefix: /}, cluster: a}
            """;

    Path dir;
    TestCerts.Ca ca;
    TestBackend a;
    ProxyFixture proxy;
    Map<String, String> vars;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("strait-listener-reload");
        ca = new TestCerts(dir).ca("ca");
        ca.server("site", "site.test");
        a = new TestBackend("a");
        vars = Map.of("a", a.address());
        proxy = ProxyFixture.start("listeners:\n  - {name: public, address: 127.0.0.1:0}\n" + BASE, vars,
                io.strait.proxy.filter.FilterModule.NONE, dir);
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
    }

    @Test
    void aTlsListenerAddedUnderLoadServesAndTheOldOneLosesNoRequest() throws Exception {
        int plainPort = proxy.port();
        try (LoadLoop load = LoadLoop.start(4, () -> proxy.get("/echo/load"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > 100);
            HttpResponse<String> res = put("""
                    listeners:
                      - {name: public, address: 127.0.0.1:0}
                      - name: secure
                        address: 127.0.0.1:0
                        tls: {certificates: [{certFile: site.pem, keyFile: site.key}]}
                    """ + BASE);
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(Json.parse(res.body()).get("listeners").asInt()).isEqualTo(2);
            int securePort = proxy.server().port("secure");
            assertThat(httpsGet(securePort, "/echo/tls")).startsWith("HTTP/1.1 200").contains("\"backend\":\"a\"");
            int okAfter = load.ok();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() > okAfter + 100);
            assertThat(load.failures()).as("requests on the kept listener").isEmpty();
        }
        assertThat(proxy.port()).as("the kept listener keeps its socket").isEqualTo(plainPort);
    }

    @Test
    void aRemovedListenerStopsAcceptingAndTheOthersKeepServing() throws Exception {
        assertThat(put("""
                listeners:
                  - {name: public, address: 127.0.0.1:0}
                  - {name: second, address: 127.0.0.1:0}
                """ + BASE).statusCode()).isEqualTo(200);
        int second = proxy.server().port("second");
        assertThat(get(second, "/echo/second")).startsWith("HTTP/1.1 200");

        assertThat(put("listeners:\n  - {name: public, address: 127.0.0.1:0}\n" + BASE).statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> proxy.server().port("second")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Socket("127.0.0.1", second).close()).isInstanceOf(ConnectException.class);
        assertThat(proxy.get("/echo/public").statusCode()).isEqualTo(200);
    }

    @Test
    void aRemovedListenersConnectionsDrain() throws Exception {
        String two = "listeners:\n  - {name: public, address: 127.0.0.1:0}\n  - {name: second, address: 127.0.0.1:0}\n"
                + "drainTimeout: 1s\n" + BASE;
        assertThat(put(two).statusCode()).isEqualTo(200);
        int second = proxy.server().port("second");
        try (Socket busy = new Socket("127.0.0.1", second);
             Socket idle = new Socket("127.0.0.1", second);
             io.strait.proxy.testing.H2Client h2 = new io.strait.proxy.testing.H2Client("127.0.0.1", second)) {
            busy.setSoTimeout(5000);
            idle.setSoTimeout(5000);
            assertThat(exchangeKeepAlive(idle, "/echo/warm")).contains("\"backend\":\"a\"");
            assertThat(h2.get("/echo/h2").get(5, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
            var h2Slow = h2.get("/delay/600");
            busy.getOutputStream().write("GET /delay/600 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.received().stream().filter(r -> r.uri().equals("/delay/600")).count() == 2);

            assertThat(put(two.replace("  - {name: second, address: 127.0.0.1:0}\n", "")).statusCode()).isEqualTo(200);
            // the request in flight finishes, and its connection closes after it
            String rest = ProxyFixture.readUntilQuiet(busy.getInputStream());
            assertThat(rest).startsWith("HTTP/1.1 200").contains("connection: close").endsWith("<EOF>");
            // HTTP/2: GOAWAY, and the open stream still completes
            assertThat(h2.goAway().get(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
            assertThat(h2Slow.get(5, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
            // an idle keep-alive connection is closed at the drain deadline (1s), long before its idle timeout (60s)
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(proxy.get("/echo/public").statusCode()).isEqualTo(200);
    }

    @Test
    void aListenerMovesToANewAddress() throws Exception {
        int oldPort = proxy.port();
        int newPort = freePort();
        assertThat(put("listeners:\n  - {name: public, address: 127.0.0.1:" + newPort + "}\n" + BASE).statusCode()).isEqualTo(200);
        assertThat(proxy.port()).isEqualTo(newPort);
        assertThat(get(newPort, "/echo/moved")).startsWith("HTTP/1.1 200");
        assertThatThrownBy(() -> new Socket("127.0.0.1", oldPort).close()).isInstanceOf(ConnectException.class);
        // and TLS switched on at the same address: the listener is bound anew there
        HttpResponse<String> res = put("""
                listeners:
                  - name: public
                    address: 127.0.0.1:%d
                    tls: {certificates: [{certFile: site.pem, keyFile: site.key}]}
                """.formatted(newPort) + BASE);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(httpsGet(newPort, "/echo/now-tls")).startsWith("HTTP/1.1 200");
    }

    @Test
    void aPortInUseRefusesTheWholeConfigAndBindsNothing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int other = freePort();
            long generation = proxy.server().snapshot().generation();
            HttpResponse<String> res = put("""
                    listeners:
                      - {name: public, address: 127.0.0.1:0}
                      - {name: fine, address: 127.0.0.1:%d}
                      - {name: busy, address: 127.0.0.1:%d}
                    """.formatted(other, taken.getLocalPort()) + BASE);
            assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
            JsonNode body = Json.parse(res.body());
            assertThat(body.get("error").asText()).isEqualTo("invalid_config");
            assertThat(body.get("errors")).singleElement()
                    .satisfies(e -> assertThat(e.asText()).startsWith("listeners[2].address: cannot bind 127.0.0.1:" + taken.getLocalPort()));
            assertThat(proxy.server().snapshot().generation()).isEqualTo(generation);
            assertThatThrownBy(() -> new Socket("127.0.0.1", other).close()).as("the listener bound for the refused config is closed")
                    .isInstanceOf(ConnectException.class);
            assertThat(proxy.get("/echo/still").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theAccessLogAndTracingSettingsApply() throws Exception {
        Path log = dir.resolve("access.log");
        String on = BASE.replace("accessLog: {enabled: false}", "accessLog: {enabled: true, path: " + log + ", fields: [path, status]}");
        assertThat(put("listeners:\n  - {name: public, address: 127.0.0.1:0}\n" + on).statusCode()).isEqualTo(200);
        assertThat(proxy.get("/echo/logged").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readString(log).contains("/echo/logged"));

        assertThat(put("listeners:\n  - {name: public, address: 127.0.0.1:0}\n" + BASE).statusCode()).isEqualTo(200);
        assertThat(proxy.server().accessLog().enabled()).isFalse();
        assertThat(proxy.get("/echo/not-logged").statusCode()).isEqualTo(200);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                .until(() -> !Files.readString(log).contains("/echo/not-logged"));

        // unchanged settings keep the running log and tracing; changed tracing settings build new tracing
        var runningLog = proxy.server().accessLog();
        var runningTracing = proxy.server().tracing();
        assertThat(put("listeners:\n  - {name: public, address: 127.0.0.1:0}\n" + BASE).statusCode()).isEqualTo(200);
        assertThat(proxy.server().accessLog()).isSameAs(runningLog);
        assertThat(proxy.server().tracing()).isSameAs(runningTracing);
        String sampled = BASE.replace("accessLog: {enabled: false}", "accessLog: {enabled: false}, tracing: {sampleRatio: 0.5}");
        assertThat(put("listeners:\n  - {name: public, address: 127.0.0.1:0}\n" + sampled).statusCode()).isEqualTo(200);
        assertThat(proxy.server().tracing()).isNotSameAs(runningTracing);

        String broken = BASE.replace("accessLog: {enabled: false}", "accessLog: {path: " + dir.resolve("no/such/dir/a.log") + "}");
        HttpResponse<String> refused = put("listeners:\n  - {name: public, address: 127.0.0.1:0}\n" + broken);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(Json.parse(refused.body()).get("errors").get(0).asText()).startsWith("observability.accessLog.path: ");
    }

    @Test
    void eachListenerServesTheRoutesItNames() throws Exception {
        TestBackend b = new TestBackend("b");
        try {
            HttpResponse<String> res = put("""
                    listeners:
                      - {name: public, address: 127.0.0.1:0, routes: [outbound]}
                      - {name: inbound, address: 127.0.0.1:0, routes: [local, health]}
                      - {name: all, address: 127.0.0.1:0}
                    admin: {address: 127.0.0.1:0}
                    observability: {accessLog: {enabled: false}}
                    clusters:
                      a: {endpoints: [{address: ${a}}]}
                      b: {endpoints: [{address: %s}]}
                    routes:
                      - {name: health, match: {pathPrefix: /echo/health}, cluster: b}
                      - {name: outbound, match: {pathPrefix: /echo/out}, cluster: a}
                      - {name: local, match: {pathPrefix: /echo}, cluster: b}
                    """.formatted(b.address()));
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            int inbound = proxy.server().port("inbound");
            int all = proxy.server().port("all");
            assertThat(backendOf(proxy.get("/echo/out/1"))).isEqualTo("a");
            HttpResponse<String> notHere = proxy.get("/echo/in/1");
            assertThat(notHere.statusCode()).isEqualTo(404);
            assertThat(Json.parse(notHere.body()).get("error").asText()).isEqualTo("route_not_found");
            assertThat(get(inbound, "/echo/out/1")).startsWith("HTTP/1.1 200").contains("\"backend\":\"b\""); // local, not outbound
            assertThat(get(inbound, "/echo/health")).startsWith("HTTP/1.1 200").contains("\"backend\":\"b\"");
            assertThat(get(all, "/echo/out/1")).contains("\"backend\":\"a\"");
            assertThat(get(all, "/echo/in/1")).contains("\"backend\":\"b\"");
            try (io.strait.proxy.testing.H2Client h2 = new io.strait.proxy.testing.H2Client("127.0.0.1", proxy.port())) {
                var r = h2.get("/echo/in/1").get(5, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.status()).as("HTTP/2 on the listener without that route").isEqualTo(404);
                assertThat(r.body()).contains("route_not_found");
                assertThat(h2.get("/echo/out/2").get(5, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
            }

            HttpResponse<String> unknown = put(BASE + "listeners:\n  - {name: public, address: 127.0.0.1:0, routes: [web, wbe, nope]}\n");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(Json.parse(unknown.body()).get("errors").get(0).asText())
                    .isEqualTo("listeners[0].routes[1]: unknown route 'wbe' (did you mean 'web'?)");
            assertThat(Json.parse(unknown.body()).get("errors").get(1).asText()).isEqualTo("listeners[0].routes[2]: unknown route 'nope'");
        } finally {
            b.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private HttpResponse<String> put(String yaml) {
        return proxy.send(HttpRequest.newBuilder(proxy.adminUri("/config"))
                .header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString(ProxyFixture.substitute(yaml, vars))).build());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static String backendOf(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return Json.parse(res.body()).get("backend").asText();
    }

    /** One HTTP/1.1 request on a new connection: the status line, headers and body as text. */
    private static String get(int port, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            return exchange(s, path);
        }
    }

    /** The same over TLS, trusting the test CA and asking for site.test. */
    private String httpsGet(int port, String path) throws IOException {
        try (SSLSocket s = (SSLSocket) ca.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("site.test")));
            p.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(p);
            s.setSoTimeout(5000);
            return exchange(s, path);
        }
    }

    /** One request on an open connection, which stays open. */
    private static String exchangeKeepAlive(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        HttpHead head = HttpHead.read(in);
        assertThat(head.headers().get("connection")).isNotEqualTo("close");
        return new String(in.readNBytes((int) head.contentLength()), StandardCharsets.UTF_8);
    }

    private static String exchange(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        HttpHead head = HttpHead.read(in);
        String body = new String(in.readNBytes((int) Math.max(0, head.contentLength())), StandardCharsets.UTF_8);
        return "HTTP/1.1 " + head.status() + " " + head.headers() + "\n" + body;
    }
}
