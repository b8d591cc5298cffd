package io.strait.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT /config} (YAML and JSON, valid and refused), the admin API's method checks, and who may write:
 * a loopback admin listener without a token, the token wherever it is set, nobody on a non-loopback listener
 * without one.
 */
class AdminWriteTest {
    /** A top-level {@code admin:} section (not a scope such as {@code admin:write}): without one, admin goes on a free port. */
    private static final java.util.regex.Pattern ADMIN_SECTION = java.util.regex.Pattern.compile("(?m)^admin:");
    static final String TOKEN = "s3cr3t-admin-token-0123456789";
    /** Route "web" to cluster a. */
    static final String TO_A = """
            clusters:
              a: {endpoints: [{address: ${a}}]}
              b: {endpoints: [{address: ${b}}]}
            routes:
              - {name: web, match: {pathPrefix: /}, cluster: a}
            """;

    TestBackend a;
    TestBackend b;
    ProxyFixture proxy;
    Map<String, String> vars;

    @BeforeEach
    void start() throws Exception {
        a = new TestBackend("a");
        b = new TestBackend("b");
        vars = Map.of("a", a.address(), "b", b.address());
        proxy = ProxyFixture.start(TO_A, vars);
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    @Test
    void aYamlDocumentIsAppliedWholeAndSummarized() {
        long before = proxy.server().snapshot().generation();
        HttpResponse<String> res = put("application/yaml", yaml(TO_A.replace("cluster: a}", "cluster: b}")), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = Json.parse(res.body());
        assertThat(body.get("status").asText()).isEqualTo("applied");
        assertThat(body.get("generation").asLong()).isEqualTo(before + 1);
        assertThat(body.get("listeners").asInt()).isEqualTo(1);
        assertThat(body.get("clusters").asInt()).isEqualTo(2);
        assertThat(body.get("routes").asInt()).isEqualTo(1);
        assertThat(backendOf(proxy.get("/echo/x"))).isEqualTo("b");
        // GET /config shows what runs now
        assertThat(Json.parse(proxy.admin("GET", "/config").body()).get("routes").get(0).get("cluster").asText()).isEqualTo("b");
    }

    @Test
    void theSummaryListsTheWarningsOfWhatApplied() {
        HttpResponse<String> res = put("application/yaml", yaml(TO_A + "  - {name: twin, match: {pathPrefix: /}, cluster: b}\n"), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        List<String> warnings = new ArrayList<>();
        Json.parse(res.body()).get("warnings").forEach(w -> warnings.add(w.asText()));
        assertThat(warnings).containsExactly("routes[1]: never matches: routes[0] ('web') comes first with the same hosts"
                + " and path and no other condition, so it takes every request this route would");
        assertThat(backendOf(proxy.get("/echo/x"))).isEqualTo("a");
    }

    @Test
    void aJsonDocumentIsAppliedToo() {
        String json = """
                {"admin": {"address": "127.0.0.1:0"},
                 "listeners": [{"name": "public", "address": "127.0.0.1:0"}],
                 "observability": {"accessLog": {"enabled": false}},
                 "clusters": {"b": {"endpoints": [{"address": "%s"}]}},
                 "routes": [{"name": "json", "match": {"pathPrefix": "/"}, "cluster": "b"}]}
                """.formatted(b.address());
        HttpResponse<String> res = put("application/json; charset=utf-8", json, null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(Json.parse(res.body()).get("routes").asInt()).isEqualTo(1);
        assertThat(backendOf(proxy.get("/echo/json"))).isEqualTo("b");
        assertThat(proxy.server().snapshot().config().routes().get(0).name()).isEqualTo("json");
    }

    @Test
    void aRefusedDocumentListsEveryErrorAndTheOldConfigKeepsServing() {
        long generation = proxy.server().snapshot().generation();
        HttpResponse<String> res = put("application/yaml", yaml("""
                clusters:
                  a: {endpoints: [{address: ${a}}]}
                routes:
                  - {name: web, match: {pathPrefix: /}, cluster: nope, timeot: 2s}
                  - {name: other, match: {pathPrefix: /x}, cluster: aa}
                """), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
        JsonNode body = Json.parse(res.body());
        assertThat(body.get("error").asText()).isEqualTo("invalid_config");
        assertThat(body.get("generation").asLong()).isEqualTo(generation);
        List<String> errors = new ArrayList<>();
        body.get("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors).hasSize(3);
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("routes[0].cluster: unknown cluster 'nope'"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("routes[0].timeot: unknown field"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("routes[1].cluster: unknown cluster 'aa'").contains("did you mean 'a'"));
        assertThat(backendOf(proxy.get("/echo/still"))).isEqualTo("a");
        assertThat(proxy.server().snapshot().generation()).isEqualTo(generation);

        HttpResponse<String> broken = put("application/json", "{\"routes\": [", null);
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(Json.parse(broken.body()).get("errors").get(0).asText()).startsWith("PUT /config: not valid JSON");
        HttpResponse<String> notUtf8 = send(HttpRequest.newBuilder(proxy.adminUri("/config"))
                .header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'z', ':', ' ', (byte) 0xff})).build());
        assertThat(notUtf8.statusCode()).isEqualTo(400);
        assertThat(notUtf8.body()).contains("not UTF-8");
        assertThat(backendOf(proxy.get("/echo/still"))).isEqualTo("a");
    }

    @Test
    void otherMediaTypesAre415() {
        for (String type : new String[] {"text/plain", "application/xml", "application/yaml; charset=latin1"}) {
            HttpResponse<String> res = put(type, yaml(TO_A), null);
            assertThat(res.statusCode()).as(type).isEqualTo(415);
            assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("unsupported_media_type");
        }
        HttpResponse<String> none = send(HttpRequest.newBuilder(proxy.adminUri("/config"))
                .PUT(HttpRequest.BodyPublishers.ofString(yaml(TO_A))).build());
        assertThat(none.statusCode()).isEqualTo(415);
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.server().adminPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("PUT /config HTTP/1.1\r\nHost: a\r\nContent-Type: application/yaml\r\nContent-Length: "
                    + (AdminGate.MAX_CONFIG_BODY + 1) + "\r\n\r\nzone: a\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            HttpHead head = HttpHead.read(in);
            assertThat(head.status()).isEqualTo(413);
            assertThat(new String(in.readNBytes((int) head.contentLength()), StandardCharsets.UTF_8)).contains("payload_too_large");
        }
    }

    @Test
    void wrongMethodsAre405WithAllow() {
        Object[][] cases = {
                {"DELETE", "/config", "GET, PUT"}, {"POST", "/config", "GET, PUT"}, {"GET", "/reload", "POST"},
                {"PUT", "/reload", "POST"}, {"POST", "/ready", "GET"}, {"DELETE", "/metrics", "GET"}, {"PUT", "/clusters", "GET"}};
        for (Object[] c : cases) {
            HttpResponse<String> res = proxy.admin((String) c[0], (String) c[1]);
            assertThat(res.statusCode()).as(c[0] + " " + c[1]).isEqualTo(405);
            assertThat(res.headers().firstValue("allow")).as(c[0] + " " + c[1]).hasValue((String) c[2]);
            assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("method_not_allowed");
        }
        assertThat(proxy.server().snapshot().config().routes()).hasSize(1); // nothing changed
    }

    @Test
    void aConfiguredTokenIsRequiredForWritesAndNeverShown() throws Exception {
        HttpResponse<String> set = put("application/yaml", yaml("admin: {address: 127.0.0.1:0, token: " + TOKEN + "}\n" + TO_A), null);
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(set.body()).doesNotContain(TOKEN);

        HttpResponse<String> without = put("application/yaml", tokenYaml(), null);
        assertThat(without.statusCode()).isEqualTo(403);
        assertThat(Json.parse(without.body()).get("error").asText()).isEqualTo("forbidden");
        assertThat(put("application/yaml", tokenYaml(), "Bearer wrong-token-wrong-token").statusCode()).isEqualTo(403);
        assertThat(put("application/yaml", tokenYaml(), "Basic " + TOKEN).statusCode()).isEqualTo(403);
        HttpResponse<String> reload = proxy.admin("POST", "/reload");
        assertThat(reload.statusCode()).isEqualTo(403);
        assertThat(reload.body()).doesNotContain(TOKEN);

        HttpResponse<String> with = put("application/yaml", tokenYaml(), "Bearer " + TOKEN);
        assertThat(with.statusCode()).as(with.body()).isEqualTo(200);
        // reads need no token; the token is redacted
        HttpResponse<String> config = proxy.admin("GET", "/config");
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).doesNotContain(TOKEN);
        assertThat(Json.parse(config.body()).get("admin").get("token").asText()).isEqualTo("***");
    }

    @Test
    void aNonLoopbackAdminWithoutTokenRefusesEveryWrite() throws Exception {
        proxy.close();
        // 0.0.0.0 is reachable from other machines: the listener is not loopback, whoever connects
        proxy = ProxyFixture.start("admin: {address: 0.0.0.0:0}\n" + TO_A, vars);
        HttpResponse<String> put = put("application/yaml", yaml("admin: {address: 0.0.0.0:0}\n" + TO_A), null);
        assertThat(put.statusCode()).isEqualTo(403);
        assertThat(Json.parse(put.body()).get("message").asText()).contains("admin.token is not set");
        assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(403);
        assertThat(put("application/yaml", yaml(TO_A), "Bearer " + TOKEN).statusCode()).isEqualTo(403);
        // a large refused body is read and dropped, so the client gets its answer rather than a reset
        String big = yaml(TO_A) + "# " + "x".repeat(2 * 1024 * 1024) + "\n";
        for (int i = 0; i < 3; i++) assertThat(put("application/yaml", big, null).statusCode()).isEqualTo(403);
        assertThat(proxy.admin("GET", "/config").statusCode()).isEqualTo(200);
        assertThat(proxy.admin("GET", "/ready").statusCode()).isEqualTo(200);
        // no other spelling of the path gets past the check
        assertThat(send(HttpRequest.newBuilder(proxy.adminUri("/config?force=1")).header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString(yaml(TO_A))).build()).statusCode()).isEqualTo(403);
        for (String path : new String[] {"//config", "/config/", "/CONFIG", "/./config"}) {
            assertThat(send(HttpRequest.newBuilder(proxy.adminUri("/")).uri(java.net.URI.create(proxy.adminUri("") + path))
                    .header("Content-Type", "application/yaml").PUT(HttpRequest.BodyPublishers.ofString(yaml(TO_A))).build())
                    .statusCode()).as(path).isEqualTo(404);
        }
        assertThat(proxy.server().snapshot().generation()).isEqualTo(1);
    }

    @Test
    void aNonLoopbackAdminAcceptsTheToken() throws Exception {
        proxy.close();
        String config = "admin: {address: 0.0.0.0:0, token: " + TOKEN + "}\n" + TO_A;
        proxy = ProxyFixture.start(config, vars);
        assertThat(put("application/yaml", yaml(config.replace("cluster: a}", "cluster: b}")), null).statusCode()).isEqualTo(403);
        HttpResponse<String> ok = put("application/yaml", yaml(config.replace("cluster: a}", "cluster: b}")), "Bearer " + TOKEN);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(backendOf(proxy.get("/echo/x"))).isEqualTo("b");
        HttpResponse<String> reload = send(HttpRequest.newBuilder(proxy.adminUri("/reload"))
                .header("Authorization", "bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        assertThat(backendOf(proxy.get("/echo/x"))).isEqualTo("a"); // the file again: the last applied config runs
    }

    @Test
    void theAdminApiMovesToANewAddress() throws Exception {
        int oldPort = proxy.server().adminPort();
        int newPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            newPort = free.getLocalPort();
            // while the port is taken, the whole configuration is refused
            HttpResponse<String> busy = put("application/yaml", yaml("admin: {address: 127.0.0.1:" + newPort + "}\n" + TO_A), null);
            assertThat(busy.statusCode()).isEqualTo(400);
            assertThat(Json.parse(busy.body()).get("errors").get(0).asText()).startsWith("admin.address: cannot bind 127.0.0.1:" + newPort);
        }
        HttpResponse<String> moved = put("application/yaml", yaml("admin: {address: 127.0.0.1:" + newPort + "}\n" + TO_A), null);
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200); // answered on the connection that asked
        assertThat(proxy.server().adminPort()).isEqualTo(newPort);
        HttpResponse<String> ready = send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + newPort + "/ready")).build());
        assertThat(ready.statusCode()).isEqualTo(200);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Socket("127.0.0.1", oldPort).close())
                .isInstanceOf(java.net.ConnectException.class);

        // moved to a wildcard address without a token: writes there are refused
        HttpResponse<String> wide = send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + newPort + "/config"))
                .header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString(yaml("admin: {address: 0.0.0.0:0}\n" + TO_A))).build());
        assertThat(wide.statusCode()).as(wide.body()).isEqualTo(200);
        HttpResponse<String> refused = put("application/yaml", yaml("admin: {address: 0.0.0.0:0}\n" + TO_A), null);
        assertThat(refused.statusCode()).isEqualTo(403);
    }

    // ---------------------------------------------------------------- helpers

    private String tokenYaml() {
        return yaml("admin: {address: 127.0.0.1:0, token: " + TOKEN + "}\n" + TO_A.replace("cluster: a}", "cluster: b}"));
    }

    /** The fixture's defaults (admin and listener on port 0, no access log) plus the backends. */
    private String yaml(String body) {
        StringBuilder sb = new StringBuilder();
        if (!ADMIN_SECTION.matcher(body).find()) sb.append("admin: {address: 127.0.0.1:0}\n");
        if (!body.contains("listeners:")) sb.append("listeners:\n  - {name: public, address: 127.0.0.1:0}\n");
        sb.append("observability: {accessLog: {enabled: false}}\n");
        return ProxyFixture.substitute(sb.append(body).toString(), vars);
    }

    private HttpResponse<String> put(String type, String body, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.adminUri("/config"))
                .header("Content-Type", type)
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) b.header("Authorization", authorization);
        return send(b.build());
    }

    private HttpResponse<String> send(HttpRequest req) {
        return proxy.send(req);
    }

    private static String backendOf(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return Json.parse(res.body()).get("backend").asText();
    }
}
