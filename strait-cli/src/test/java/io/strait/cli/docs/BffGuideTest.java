package io.strait.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.strait.gateway.GatewayFilters;
import io.strait.gateway.StandardAuthenticators;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.apikey.IssuedKey;
import io.strait.proxy.testing.ProxyFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/guides/bff.md as a new user runs it: the two BFFs' configuration with the guide's own edit for trying it
 * without an identity provider (API keys), real services answering the guide's user and orders, and what the guide
 * says each client sees. Running the guide by hand found that it offered no credential a user could get, that the
 * home screens' answers had no rate-limit headers, and that the web routes' CORS refused the browser's token.
 */
class BffGuideTest {
    private static final Path GUIDE = DocsExamplesTest.ROOT.resolve("docs/guides/bff.md");
    private static final String ADA = "{\"id\":7,\"name\":\"Ada\",\"email\":\"ada@example.com\",\"avatar\":\"/a/7.png\","
            + "\"address\":{\"city\":\"London\",\"street\":\"1 Lovelace Rd\"},\"password\":\"x\",\"internal\":{\"score\":3}}";
    /** The edit the guide's "Trying it on one machine" describes. */
    private static final String STORE = "apiKeys: {store: {type: file, path: apikeys.json}}";

    @TempDir
    Path dir;

    @Test
    void theTwoBffsAnswerAsTheGuideSaysWithTheGuidesApiKeyEdit() throws Exception {
        String guide = Files.readString(GUIDE);
        assertThat(guide).contains(STORE).contains("anyOf: [jwt:mobile, apiKey]").contains("anyOf: [jwt:web, apiKey]")
                .contains("bin/strait apikey create --config bff.yaml --tenant acme --scopes profile:read -q");
        Matcher first = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(guide);
        assertThat(first.find()).isTrue();
        HttpServer users = serve("/users/7", ADA);
        HttpServer orders = serve("/orders", "[{\"id\":100,\"total\":42.5},{\"id\":101,\"total\":43.5}]");
        try {
            String yaml = first.group(1).replace("auth:\n", "auth:\n  " + STORE + "\n")
                    .replace("anyOf: [jwt:mobile]", "anyOf: [jwt:mobile, apiKey]").replace("anyOf: [jwt:web]", "anyOf: [jwt:web, apiKey]")
                    .replace("127.0.0.1:9001", "127.0.0.1:" + users.getAddress().getPort())
                    .replace("127.0.0.1:9002", "127.0.0.1:" + orders.getAddress().getPort());
            String key;
            try (FileApiKeyStore store = FileApiKeyStore.open(dir.resolve("apikeys.json"))) {
                key = IssuedKey.issue(store, "acme", null, List.of("profile:read"), List.of(), null, Instant.now()).key();
            }
            try (ProxyFixture gw = ProxyFixture.start(yaml, Map.of(), new GatewayFilters(new StandardAuthenticators()), dir)) {
                Answer picked = get(gw, "m.api.example.com", "/users/7?fields=name,address.city", key);
                assertThat(picked.status()).isEqualTo(200);
                assertThat(guide).contains("\n" + picked.body() + "\n"); // the answer the guide shows
                assertThat(get(gw, "m.api.example.com", "/users/7?fields=name,email", key).body()).isEqualTo("{\"name\":\"Ada\"}");
                assertThat(get(gw, "m.api.example.com", "/users/7?fields=nope", key).body()).isEqualTo("{}");
                Answer web = get(gw, "www.api.example.com", "/users/7", key);
                assertThat(web.body()).contains("\"email\"").doesNotContain("password").doesNotContain("internal");

                Answer home = get(gw, "m.api.example.com", "/home/7", key);
                assertThat(home.status()).isEqualTo(200);
                assertThat(home.head()).containsIgnoringCase("\nX-RateLimit-Limit: 60\r\n");
                assertThat(home.body()).startsWith("{\"user\":{\"id\":7,\"name\":\"Ada\"").contains("\"orders\":[{\"id\":100");
                assertThat(get(gw, "m.api.example.com", "/users/7", null).status()).isEqualTo(401);
                // the web app's browser sends its token in Authorization: its preflight must pass (it did not)
                String preflight = gw.raw("OPTIONS /home/7 HTTP/1.1\r\nHost: www.api.example.com\r\nOrigin: https://www.example.com\r\n"
                        + "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: authorization\r\nConnection: close\r\n\r\n", 5000);
                assertThat(preflight).startsWith("HTTP/1.1 204 ").containsIgnoringCase("\naccess-control-allow-headers: authorization\r\n");
            }
        } finally {
            users.stop(0);
            orders.stop(0);
        }
    }

    private static HttpServer serve(String path, String json) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.createContext(path, ex -> {
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            try (var out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        s.start();
        return s;
    }

    /** One answer read off the wire: its status, its head (status line and headers) and its body. */
    private record Answer(int status, String head, String body) {}

    /** A GET with a Host header (the JDK client may not set one), as curl -H 'Host: ...' sends it. */
    private static Answer get(ProxyFixture gw, String host, String target, String key) throws IOException {
        String raw = gw.raw("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + (key == null ? "" : "X-API-Key: " + key + "\r\n")
                + "Connection: close\r\n\r\n", 5000);
        int split = raw.indexOf("\r\n\r\n");
        assertThat(split).as(raw).isPositive();
        String body = raw.substring(split + 4).replace("\n<EOF>", "");
        return new Answer(Integer.parseInt(raw.substring(9, 12)), raw.substring(0, split + 2), body);
    }
}
