package io.strait.mesh.meshconfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.config.ControlPlaneConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The yaml blocks of docs/mesh.md marked {@code <!-- not-validated: mesh policies ... MeshConfigDocsTest -->}: the
 * policy documents load together from a policies directory, the control-plane block starts a {@link MeshConfigSource}
 * over it, and the examples decide as the text says.
 */
class MeshConfigDocsTest {
    private static final Path DOC = Path.of("..", "docs", "mesh.md");

    static List<String> blocks() throws Exception {
        List<String> lines = Files.readAllLines(DOC);
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("```yaml") || !lines.get(i - 1).contains("MeshConfigDocsTest")) continue;
            StringBuilder yaml = new StringBuilder();
            for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("```"); j++) yaml.append(lines.get(j)).append('\n');
            out.add(yaml.toString());
        }
        return out;
    }

    @Test
    void theExamplesLoadAndDecideAsDocumented(@TempDir Path dir) throws Exception {
        List<String> blocks = blocks();
        assertThat(blocks).hasSize(3);
        Path policies = Files.createDirectories(dir.resolve("policies"));
        String controlPlane = null;
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).contains("kind:")) Files.writeString(policies.resolve("doc-" + i + ".yaml"), blocks.get(i));
            else controlPlane = blocks.get(i);
        }
        ControlPlaneConfig config = ControlPlaneConfigReader.parse(controlPlane, "docs/mesh.md", dir);
        try (MeshConfigSource source = MeshConfigSource.start(config)) {
            MeshConfig c = source.current();
            assertThat(c.mtlsMode("shop", Map.of("app", "orders"), 8080)).isEqualTo(MtlsMode.STRICT);
            assertThat(c.mtlsMode("legacy", Map.of("app", "reports"), 8080)).isEqualTo(MtlsMode.PERMISSIVE);
            assertThat(c.mtlsMode("legacy", Map.of("app", "finance"), 8080)).isEqualTo(MtlsMode.STRICT);
            assertThat(c.mtlsMode("legacy", Map.of("app", "finance"), 9090)).isEqualTo(MtlsMode.DISABLE);
            ServiceTrafficPolicy orders = c.traffic("shop", "orders").orElseThrow();
            assertThat(orders.timeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(orders.retries().perTryTimeout()).isEqualTo(Duration.ofMillis(500));
            assertThat(orders.split()).hasSize(2);
            assertThat(orders.circuitBreaker().maxRequests()).isEqualTo(200);
        }
    }
}
