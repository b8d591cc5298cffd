package io.strait.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.mesh.authz.AuthzEngine;
import io.strait.mesh.authz.AuthzRequest;
import io.strait.mesh.authz.Peer;
import io.strait.mesh.authz.PolicyReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The demo's policy as docs/mesh.md shows it (the yaml block marked {@code DemoDocsTest}): the same documents as the
 * file the demo writes, less its comments, and it decides as the README says: the gateway and checkout may POST
 * orders, users may not, anyone in the mesh may read them.
 */
class DemoDocsTest {
    private static final Path DOC = Path.of("..", "docs", "mesh.md");

    private static String block() throws Exception {
        List<String> lines = Files.readAllLines(DOC);
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("```yaml") || !lines.get(i - 1).contains("DemoDocsTest")) continue;
            StringBuilder yaml = new StringBuilder();
            for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("```"); j++) yaml.append(lines.get(j)).append('\n');
            return yaml.toString();
        }
        throw new AssertionError("docs/mesh.md has no yaml block marked DemoDocsTest");
    }

    @Test
    void theDocumentedPolicyIsTheDemosAndDecidesAsDocumented() throws Exception {
        String documented = block();
        String written = DemoPolicies.ORDERS.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n", "", "\n"));
        assertThat(documented).isEqualTo(written);
        AuthzEngine.Workload orders = new AuthzEngine(PolicyReader.parse("docs/mesh.md", documented))
                .forWorkload(DemoMesh.NAMESPACE, Map.of("app", "orders", "version", "v1"));
        assertThat(orders.evaluate(req("gateway", "POST", "/api/v1/orders")).allowed()).isTrue();
        assertThat(orders.evaluate(req("checkout", "POST", "/api/v1/orders")).allowed()).isTrue();
        assertThat(orders.evaluate(req("users", "POST", "/api/v1/orders")).describe()).isEqualTo("DENY no ALLOW policy matched");
        assertThat(orders.evaluate(req("users", "GET", "/api/v1/orders/1")).allowed()).isTrue();
        assertThat(orders.evaluate(req("gateway", "GET", "/healthz")).allowed()).as("the gateway's health checks").isTrue();
        assertThat(orders.evaluate(new AuthzRequest(Peer.of(null), "GET", "/api/v1/orders", Map.of())).allowed())
                .as("no principal").isFalse();
    }

    /**
     * The README's API-key step, as a new user follows it with {@code bin/strait demo} running: the {@code apikey create}
     * line run as written (the demo's folder in place of {@code .strait/}), then its {@code curl} with the new key.
     */
    @Test
    void theReadmesApiKeyStepWorksWithTheDemo(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
        String create = readme.stream().filter(l -> l.startsWith("KEY=$(bin/strait apikey create")).findFirst().orElseThrow();
        String curl = readme.stream().filter(l -> l.startsWith("curl") && l.contains("\"X-API-Key: $KEY\"")).findFirst().orElseThrow();
        String explain = readme.stream().filter(l -> l.startsWith("bin/strait explain") && l.contains("$KEY")).findFirst().orElseThrow();
        try (Demo demo = Demo.start(dir, 0, 0)) {
            java.util.Properties env = new java.util.Properties();
            try (var r = Files.newBufferedReader(dir.resolve("demo.env"))) {
                env.load(r);
            }
            String command = create.substring("KEY=$(bin/strait ".length(), create.indexOf(')')).replace(".strait/", dir + "/");
            java.io.StringWriter out = new java.io.StringWriter();
            picocli.CommandLine cl = new picocli.CommandLine(new io.strait.cli.Main());
            cl.setOut(new java.io.PrintWriter(out, true));
            assertThat(cl.execute(command.split(" +"))).isZero();
            String key = out.toString().trim();
            assertThat(key).startsWith("strait_").doesNotContain("\n");

            String path = curl.replaceAll(".*\\$STRAIT_GATEWAY_URL(\\S+).*", "$1");
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(env.getProperty("STRAIT_GATEWAY_URL") + path)).header("X-API-Key", key).build();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(
                    () -> client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            String body = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("\"tenant\":\"acme\"", "\"scopes\":\"users:read\"");

            // the explain line: offline, the same key found in the same store
            String[] words = explain.substring("bin/strait ".length(), explain.indexOf("   #")).replace(".strait/", dir + "/")
                    .replace("\"X-API-Key: $KEY\"", "X-API-Key:" + key).split(" +");
            java.io.StringWriter report = new java.io.StringWriter();
            picocli.CommandLine ex = new picocli.CommandLine(new io.strait.cli.Main());
            ex.setOut(new java.io.PrintWriter(report, true));
            assertThat(ex.execute(words)).isZero();
            assertThat(report.toString()).contains("route     routes[0] 'users'", "found true", "tenant acme", "verdict: passes");
        }
    }

    private static AuthzRequest req(String account, String method, String path) {
        return new AuthzRequest(Peer.of("cluster.local/ns/default/sa/" + account), method, path, Map.of());
    }
}
