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

    private static AuthzRequest req(String account, String method, String path) {
        return new AuthzRequest(Peer.of("cluster.local/ns/default/sa/" + account), method, path, Map.of());
    }
}
