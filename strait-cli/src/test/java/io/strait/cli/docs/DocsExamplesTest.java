package io.strait.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.load.Names;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.GatewayFilters;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```yaml} block in {@code docs/**.md} and {@code README.md} is a configuration that
 * loads, unless the line before it is {@code <!-- not-validated: reason -->}. The files under
 * {@code examples/} load too (file paths in the blocks, such as certificates, resolve against
 * {@code src/test/resources/docs-tls}, which holds sample ones), and the defaults table of docs/configuration.md matches the code.
 * Blocks load with the gateway's filter catalog ({@link GatewayFilters#CATALOG}: cors, headers, ...), as
 * {@code strait validate} and {@code strait gateway} load a file; that is why this test lives in strait-cli.
 */
class DocsExamplesTest {
    /** The repository root: the parent of this module's directory. */
    static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().getParent();
    /** Sample certificates and keys for the docs' tls examples: their relative paths resolve here. */
    static final Path DOCS_TLS_FILES = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("src/test/resources/docs-tls");
    private static final Pattern YAML_FENCE = Pattern.compile("(\\s*)```\\s*ya?ml\\s*");
    private static final Pattern SKIP = Pattern.compile("\\s*<!--\\s*not-validated:(.*)-->\\s*");

    /** One fenced YAML block: where it is, and its text with the fence's indentation removed. */
    record Block(Path file, int number, int line, String yaml, String skipReason) {
        String where() {
            return ROOT.relativize(file) + " yaml block " + number + " (line " + line + ")";
        }
    }

    static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Path readme = ROOT.resolve("README.md");
        if (Files.exists(readme)) files.add(readme);
        Path docs = ROOT.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> s = Files.walk(docs)) {
                s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    static List<Block> blocks(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher fence = YAML_FENCE.matcher(lines.get(i));
            if (!fence.matches()) continue;
            int indent = fence.group(1).length();
            StringBuilder yaml = new StringBuilder();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).strip().equals("```")) {
                String l = lines.get(j);
                yaml.append(l, Math.min(indent, leadingSpaces(l)), l.length()).append('\n');
                j++;
            }
            if (j == lines.size()) fail(ROOT.relativize(file) + ": the yaml block at line " + (i + 1) + " is never closed");
            Matcher skip = i > 0 ? SKIP.matcher(lines.get(i - 1)) : null;
            String reason = skip != null && skip.matches() ? skip.group(1).strip() : null;
            out.add(new Block(file, out.size() + 1, i + 1, yaml.toString(), reason));
            i = j;
        }
        return out;
    }

    private static int leadingSpaces(String l) {
        int n = 0;
        while (n < l.length() && l.charAt(n) == ' ') n++;
        return n;
    }

    @TestFactory
    Stream<DynamicTest> everyYamlBlockInTheDocsLoads() throws IOException {
        List<Block> all = new ArrayList<>();
        for (Path f : markdownFiles()) all.addAll(blocks(f));
        assertThat(all).as("yaml blocks under %s", ROOT).isNotEmpty();
        return all.stream().map(b -> DynamicTest.dynamicTest(b.where(), () -> {
            if (b.skipReason() != null) {
                assertThat(b.skipReason()).as("%s: not-validated needs a reason", b.where()).isNotBlank();
                return;
            }
            try {
                ConfigLoader.parse(b.yaml(), b.where(), DOCS_TLS_FILES, GatewayFilters.CATALOG);
            } catch (ConfigException e) {
                fail(b.where() + " does not load:\n  " + String.join("\n  ", e.errors()) + "\n" + b.yaml());
            }
        }));
    }

    @Test
    void theConfigurationReferenceExistsAndHasExamples() throws IOException {
        Path reference = ROOT.resolve("docs/configuration.md");
        assertThat(reference).exists();
        assertThat(blocks(reference)).hasSizeGreaterThan(10).filteredOn(b -> b.skipReason() == null).hasSizeGreaterThan(10);
    }

    @Test
    void theBlockScannerFindsIndentedAndSkippedBlocksAndReportsTheirPlace(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Path md = dir.resolve("t.md");
        Files.writeString(md, String.join("\n",
                "# t", "```yaml", "zone: a", "```", "text", "<!-- not-validated: later -->", "```yaml", "auth: {}", "```",
                "- item", "  ```yml", "  drainTimeout: 1s", "    # kept", "  ```", "```text", "not: yaml", "```", ""));
        List<Block> blocks = blocks(md);
        assertThat(blocks).extracting(Block::number, Block::line, Block::yaml, Block::skipReason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, 2, "zone: a\n", null),
                org.assertj.core.groups.Tuple.tuple(2, 7, "auth: {}\n", "later"),
                org.assertj.core.groups.Tuple.tuple(3, 11, "drainTimeout: 1s\n  # kept\n", null));
    }

    @TestFactory
    Stream<DynamicTest> everyExampleFileLoads() throws IOException {
        Path examples = ROOT.resolve("examples");
        assertThat(examples.resolve("gateway.yaml")).exists();
        try (Stream<Path> s = Files.list(examples)) {
            return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList().stream()
                    .map(p -> DynamicTest.dynamicTest(ROOT.relativize(p).toString(), () -> load(p)));
        }
    }

    @Test
    void theGatewayExampleFrontsThreeLocalServices() {
        StraitConfig c = load(ROOT.resolve("examples/gateway.yaml"));
        assertThat(c.clusters()).hasSize(3);
        assertThat(c.clusters().values().stream().flatMap(cl -> cl.endpoints().stream()).map(EndpointConfig::address))
                .containsExactlyInAnyOrder(new HostPort("127.0.0.1", 9001), new HostPort("127.0.0.1", 9002),
                        new HostPort("127.0.0.1", 9003), new HostPort("127.0.0.1", 9004),
                        new HostPort("127.0.0.1", 9005), new HostPort("127.0.0.1", 9006));
        assertThat(c.routes()).allSatisfy(r -> assertThat(c.clusters()).containsKey(r.cluster()));
    }

    @Test
    void theReferencesCompleteExampleIsTheGatewayExample() throws Exception {
        Block first = blocks(ROOT.resolve("docs/configuration.md")).get(0);
        assertThat(ConfigLoader.parse(first.yaml(), "first block", Path.of("").toAbsolutePath(), GatewayFilters.CATALOG)).isEqualTo(load(ROOT.resolve("examples/gateway.yaml")));
    }

    /** The "Defaults in the code" table lists every public constant of ConfigLoader with its value. */
    @Test
    void theDefaultsTableMatchesTheCode() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/configuration.md"));
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `([A-Z0-9_]+)` \\| `([^`]*)` \\|").matcher(doc.substring(doc.indexOf("## Defaults in the code")));
        while (row.find()) documented.put(row.group(1), row.group(2));
        Map<String, String> actual = new LinkedHashMap<>();
        for (Field f : ConfigLoader.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers())) {
                actual.put(f.getName(), render(f.get(null)));
            }
        }
        assertThat(documented).as("the 'Defaults in the code' table of docs/configuration.md, against ConfigLoader's constants")
                .containsExactlyInAnyOrderEntriesOf(actual);
    }

    private static String render(Object v) {
        if (v instanceof Duration d) {
            if (d.isZero()) return "0";
            if (d.toNanos() % 1_000_000 != 0) return d.toNanos() / 1000 + "us";
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
        if (v instanceof Enum<?> e) return Names.of(e);
        if (v instanceof List<?> l) return String.join(", ", l.stream().map(String::valueOf).toList());
        return String.valueOf(v);
    }

    private static StraitConfig load(Path p) {
        try {
            return ConfigLoader.load(p, GatewayFilters.CATALOG);
        } catch (ConfigException e) {
            throw new AssertionError(ROOT.relativize(p) + " does not load:\n  " + String.join("\n  ", e.errors()), e);
        }
    }
}
