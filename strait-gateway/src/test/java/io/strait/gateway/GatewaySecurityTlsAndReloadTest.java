package io.strait.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.gateway.GatewayUnderTest.Answer;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.TestCerts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Authentication over a TLS listener with HTTP/2 (ALPN h2), and route auth changed by a hot reload. */
class GatewaySecurityTlsAndReloadTest {
    private static final String PROVIDER = """
            auth:
              jwt:
                - {name: main, issuer: "https://issuer.test/", audiences: [api], jwksUri: "${jwks}"}
            clusters:
              b: {endpoints: [{address: "${b}"}]}
            """;

    private TestIssuer issuer;
    private GatewayUnderTest gw;

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (issuer != null) issuer.close();
    }

    @Test
    void overTlsAndHttp2AValidTokenPassesWithItsIdentityAndNoTokenIs401() throws Exception {
        Path dir = Files.createTempDirectory("strait-e2e-tls");
        TestCerts.Ca ca = new TestCerts(dir).ca("ca");
        ca.server("api", "localhost");
        issuer = new TestIssuer();
        gw = GatewayUnderTest.start("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    tls:
                      certificates: [{certFile: "${dir}/api.pem", keyFile: "${dir}/api.key"}]
                """ + PROVIDER + """
                routes:
                  - {name: api, match: {pathPrefix: /api}, cluster: b, auth: jwt:main}
                """, Map.of("jwks", issuer.jwksUri(), "dir", dir.toString()), dir);
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ca.clientContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("https://localhost:" + gw.proxy.port() + "/api/x");

        String token = issuer.token();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h2.send(
                HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + issuer.token()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        HttpResponse<String> ok = h2.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("X-User-ID", "mallory").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode h = Json.parse(ok.body()).path("headers");
        assertThat(h.path("x-user-id").asText()).isEqualTo("user-1");
        assertThat(h.path("x-tenant-id").asText()).isEqualTo("acme");
        assertThat(h.path("x-scopes").asText()).isEqualTo("users:read users:write");
        assertThat(h.path("x-forwarded-proto").asText()).isEqualTo("https");
        assertThat(h.has("authorization")).isFalse();

        int before = gw.backend.requestCount();
        HttpResponse<String> none = h2.send(HttpRequest.newBuilder(uri).header("X-User-ID", "mallory").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.version()).isEqualTo(HttpClient.Version.HTTP_2);
        Answer.of(none, gw.backend.requestCount() - before).unauthorized("missing credentials");

        String bad = issuer.token(c -> c.put("iss", "https://evil.test/"));
        before = gw.backend.requestCount();
        HttpResponse<String> refused = h2.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + bad).build(),
                HttpResponse.BodyHandlers.ofString());
        Answer.of(refused, gw.backend.requestCount() - before).unauthorized("wrong issuer", bad);
    }

    @Test
    void aReloadThatTurnsAuthOnRefusesTheNextAnonymousRequestAndABadReloadKeepsTheOldConfig() throws Exception {
        issuer = new TestIssuer();
        String open = PROVIDER + """
                routes:
                  - {name: api, match: {pathPrefix: /api}, cluster: b, auth: none}
                """;
        gw = GatewayUnderTest.start(open, Map.of("jwks", issuer.jwksUri()));
        Map<String, String> vars = Map.of("jwks", issuer.jwksUri(), "b", gw.backend.address());
        assertThat(gw.get("/api/x").status()).isEqualTo(200);

        gw.proxy.writeConfig(open.replace("auth: none", "auth: jwt:main"), vars);
        HttpResponse<String> reload = gw.proxy.admin("POST", "/reload");
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        gw.get("/api/x").unauthorized("missing credentials");
        String token = issuer.token();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> gw.get("/api/x", "Authorization", "Bearer " + issuer.token()).status() == 200);
        assertThat(gw.get("/api/x", "Authorization", "Bearer " + token).upstreamHeaders().path("x-user-id").asText())
                .isEqualTo("user-1");

        gw.proxy.writeConfig(open.replace("auth: none", "auth: jwt:mian"), vars);
        HttpResponse<String> bad = gw.proxy.admin("POST", "/reload");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        List<String> errors = new ArrayList<>();
        Json.parse(bad.body()).path("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors).containsExactly("routes[0].auth: unknown JWT provider 'mian' (did you mean 'main'?)");
        // the previous configuration (auth: jwt:main) still serves
        gw.get("/api/x").unauthorized("missing credentials");
        assertThat(gw.get("/api/x", "Authorization", "Bearer " + issuer.token()).status()).isEqualTo(200);

        gw.proxy.writeConfig(open.replace("auth: none", "auth: {anyOf: [jwt:main, apiKey]}"), vars);
        HttpResponse<String> noKeys = gw.proxy.admin("POST", "/reload");
        assertThat(noKeys.statusCode()).as(noKeys.body()).isEqualTo(400);
        assertThat(noKeys.body()).contains("routes[0].auth.anyOf[1]: apiKey needs an auth.apiKeys section");
        gw.get("/api/x").unauthorized("missing credentials");
    }
}
