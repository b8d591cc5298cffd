package io.strait.mesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.strait.config.load.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every YAML block of the docs marked {@code <!-- not-validated: control-plane config ... -->} (strait-cli's
 * DocsExamplesTest loads the rest as gateway configs and skips these) loads with {@link ControlPlaneConfigReader}.
 * File paths in the blocks resolve against {@code src/test/resources/docs-ca}, which holds a sample CA.
 */
class MeshDocsExamplesTest {
    static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path ROOT = MODULE.getParent();
    static final String MARK = "control-plane config";
    static final String SIDECAR_MARK = "sidecar config";
    private static final Pattern YAML_FENCE = Pattern.compile("(\\s*)```\\s*ya?ml\\s*");
    private static final Pattern SKIP = Pattern.compile("\\s*<!--\\s*not-validated:(.*)-->\\s*");

    record Block(String where, String yaml) {}

    @TestFactory
    Stream<DynamicTest> everyControlPlaneBlockLoads() throws IOException {
        List<Block> blocks = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) blocks.addAll(blocks(f));
        }
        assertThat(blocks).as("control-plane blocks in docs/").hasSizeGreaterThanOrEqualTo(2);
        Path base = MODULE.resolve("src/test/resources/docs-ca");
        return blocks.stream().map(b -> DynamicTest.dynamicTest(b.where(), () -> {
            try {
                ControlPlaneConfigReader.parse(b.yaml(), b.where(), base);
            } catch (ConfigException e) {
                fail(b.where() + " does not load:\n  " + String.join("\n  ", e.errors()) + "\n" + b.yaml());
            }
        }));
    }

    /** Every block marked {@code <!-- not-validated: sidecar config ... -->} loads with {@code SidecarConfigReader}. */
    @TestFactory
    Stream<DynamicTest> everySidecarBlockLoads() throws IOException {
        List<Block> blocks = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) blocks.addAll(blocks(f, SIDECAR_MARK));
        }
        assertThat(blocks).as("sidecar blocks in docs/").isNotEmpty();
        Path base = MODULE.resolve("src/test/resources/docs-ca");
        return blocks.stream().map(b -> DynamicTest.dynamicTest(b.where(), () -> {
            try {
                io.strait.mesh.sidecar.SidecarConfigReader.parse(b.yaml(), b.where(), base);
            } catch (ConfigException e) {
                fail(b.where() + " does not load:\n  " + String.join("\n  ", e.errors()) + "\n" + b.yaml());
            }
        }));
    }

    /** The "Defaults in the code" table of docs/mesh.md names constants of these classes, each with its value. */
    @org.junit.jupiter.api.Test
    void theDefaultsTableMatchesTheCode() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/mesh.md"));
        Matcher row = Pattern.compile("(?m)^\\| `(\\w+)\\.([A-Z0-9_]+)` \\| `([^`]*)` \\|").matcher(doc.substring(doc.indexOf("## Defaults in the code")));
        List<Class<?>> classes = List.of(io.strait.mesh.ca.CertificateAuthority.class, io.strait.mesh.ca.CsrCheck.class,
                io.strait.mesh.svid.RenewalSchedule.class, io.strait.mesh.token.JoinTokens.class, io.strait.mesh.ca.CaDirectory.class,
                io.strait.mesh.registry.Registry.class, io.strait.mesh.registry.WorkloadCheck.class,
                io.strait.mesh.sidecar.SidecarConfig.class, io.strait.mesh.xds.DiscoveryClient.class, io.strait.mesh.agent.MeshAgent.class,
                io.strait.mesh.transport.MeshTransport.class, io.strait.mesh.meshconfig.EffectiveMtls.class,
                io.strait.mesh.graph.TelemetryService.class, io.strait.mesh.graph.TelemetryWindow.class);
        int rows = 0;
        while (row.find()) {
            rows++;
            Class<?> type = classes.stream().filter(c -> c.getSimpleName().equals(row.group(1))).findFirst()
                    .orElseThrow(() -> new AssertionError("docs/mesh.md names an unknown class " + row.group(1)));
            Object v = type.getField(row.group(2)).get(null);
            String actual = v instanceof java.time.Duration d ? io.strait.mesh.ca.CertificateAuthority.human(d) : String.valueOf(v);
            assertThat(row.group(3)).as("docs/mesh.md %s.%s", row.group(1), row.group(2)).isEqualTo(actual);
        }
        assertThat(rows).isGreaterThanOrEqualTo(10);
    }

    static List<Block> blocks(Path file) throws IOException {
        return blocks(file, MARK);
    }

    static List<Block> blocks(Path file, String mark) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Block> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            Matcher fence = YAML_FENCE.matcher(lines.get(i));
            Matcher skip = SKIP.matcher(lines.get(i - 1));
            if (!fence.matches() || !skip.matches() || !skip.group(1).strip().startsWith(mark)) continue;
            int indent = fence.group(1).length();
            StringBuilder yaml = new StringBuilder();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).strip().equals("```")) {
                String l = lines.get(j);
                yaml.append(l.length() >= indent && l.substring(0, indent).isBlank() ? l.substring(indent) : l.stripLeading()).append('\n');
                j++;
            }
            out.add(new Block(ROOT.relativize(file) + " line " + (i + 1), yaml.toString()));
            i = j;
        }
        return out;
    }
}
