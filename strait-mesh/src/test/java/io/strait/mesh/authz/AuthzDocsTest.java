package io.strait.mesh.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The authorization policies in docs/mesh.md: every yaml block marked
 * {@code <!-- not-validated: ... AuthzDocsTest -->} loads, and the example decides as the text says.
 */
class AuthzDocsTest {
    private static final Path DOC = Path.of("..", "docs", "mesh.md");

    static String policies() throws Exception {
        return blocks().stream().filter(b -> b.contains("kind: AuthorizationPolicy")).findFirst().orElseThrow();
    }

    static String sidecar() throws Exception {
        return blocks().stream().filter(b -> b.contains("authz:")).findFirst().orElseThrow();
    }

    static List<String> blocks() throws Exception {
        List<String> lines = Files.readAllLines(DOC);
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("```yaml") || !lines.get(i - 1).contains("AuthzDocsTest")) continue;
            StringBuilder yaml = new StringBuilder();
            for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("```"); j++) yaml.append(lines.get(j)).append('\n');
            out.add(yaml.toString());
        }
        return out;
    }

    @Test
    void examplePoliciesLoadAndDecideAsDocumented() throws Exception {
        List<String> blocks = blocks();
        assertThat(blocks).hasSize(2);
        AuthzEngine engine = new AuthzEngine(PolicyReader.parse("docs/mesh.md", policies()));
        AuthzEngine.Workload orders = engine.forWorkload("shop", Map.of("app", "orders"));
        assertThat(orders.evaluate(req("cluster.local/ns/edge/sa/gateway", "POST", "/orders/7")).describe())
                .isEqualTo("ALLOW policy shop/orders rule 0 (ALLOW policy matched)");
        assertThat(orders.evaluate(req("cluster.local/ns/shop/sa/web", "POST", "/orders")).describe())
                .isEqualTo("DENY no ALLOW policy matched");
        assertThat(orders.evaluate(req("cluster.local/ns/shop/sa/web", "GET", "/orders")).rule()).isEqualTo(1);
        assertThat(orders.evaluate(req(null, "GET", "/orders")).allowed()).isFalse();
        AuthzEngine.Workload users = engine.forWorkload("accounts", Map.of("app", "users"));
        assertThat(users.evaluate(req("cluster.local/ns/shop/sa/web", "GET", "/admin")).policy())
                .isEqualTo("istio-system/admin-from-ops-only");
        assertThat(users.evaluate(req("cluster.local/ns/ops/sa/oncall", "GET", "/admin")).allowed()).isTrue();
    }

    @Test
    void sidecarConfigLoadsWithTheAuthzFilter(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("orders.yaml"), policies());
        for (String f : List.of("svid.pem", "svid.key", "bundle.pem")) Files.writeString(dir.resolve(f), "");
        String sidecar = sidecar();
        try {
            io.strait.config.load.ConfigLoader.parse(sidecar, "docs/mesh.md", dir, new AuthzFilters().catalog());
        } catch (io.strait.config.load.ConfigException e) {
            // TLS files are checked when the listener starts, not here; anything else is a broken example.
            assertThat(e.errors()).allMatch(m -> m.contains("File") || m.contains(".pem") || m.contains(".key"));
        }
    }

    private static AuthzRequest req(String from, String method, String path) {
        return new AuthzRequest(Peer.of(from), method, path, Map.of());
    }
}
