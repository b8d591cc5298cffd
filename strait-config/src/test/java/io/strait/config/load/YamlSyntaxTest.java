package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Text that is not one usable YAML document: one error naming the source and, where known, the line. */
class YamlSyntaxTest {

    static List<String> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "gw.yaml"));
        assertThat(e).as("expected ConfigException for:\n%s", yaml).isNotNull();
        return e.errors();
    }

    @Test
    void badIndentationNamesTheLine() {
        assertThat(errors("""
                listeners:
                  - name: x
                   address: 127.0.0.1:80
                """)).containsExactly("gw.yaml: not valid YAML at line 3, column 4: expected <block end>, but found"
                + " '<block mapping start>' (while parsing a block collection at line 2)");
    }

    @Test
    void unclosedFlowListNamesTheLine() {
        assertThat(errors("admin: {address: 127.0.0.1:1}\nroutes: [{cluster: c}\n")).containsExactly(
                "gw.yaml: not valid YAML at line 3, column 1: expected ',' or ']', but got <stream end>"
                        + " (while parsing a flow sequence at line 2)");
    }

    @Test
    void tabIndentationNamesTheLine() {
        assertThat(errors("admin:\n\taddress: 127.0.0.1:1\n")).singleElement().asString()
                .startsWith("gw.yaml: not valid YAML at line 2, column 1: found character '\\t(TAB)' that cannot start any token");
    }

    @Test
    void anErrorIsOneLine() {
        assertThat(errors("a: b: c\n")).singleElement().asString()
                .startsWith("gw.yaml: not valid YAML at line 1, column 5: mapping values are not allowed here")
                .doesNotContain("\n");
    }

    @Test
    void duplicateKeysAreRefusedWithTheirLine() {
        assertThat(errors("""
                clusters:
                  users: {endpoints: [{address: 127.0.0.1:9001}]}
                  users: {endpoints: [{address: 127.0.0.1:9002}]}
                """)).singleElement().asString()
                .startsWith("gw.yaml: not valid YAML at line 3, column ")
                .endsWith("duplicate key 'users'");
        assertThat(errors("drainTimeout: 1s\ndrainTimeout: 2s\n")).singleElement().asString()
                .startsWith("gw.yaml: not valid YAML at line 2").endsWith("duplicate key 'drainTimeout'");
    }

    @Test
    void aSecondDocumentIsRefused() {
        assertThat(errors("drainTimeout: 1s\n---\nzone: a\n"))
                .containsExactly("gw.yaml: the file holds more than one YAML document (the next starts at line 3); use one");
    }

    @Test
    void documentMarkersAroundOneDocumentAreFine() {
        assertThat(Yaml.load("---\ndrainTimeout: 1s\n...\n").drainTimeout()).hasSeconds(1);
        assertThat(Yaml.load("---\ndrainTimeout: 1s\n---\n").drainTimeout()).hasSeconds(1);
    }

    @Test
    void aliasesAreRefusedRatherThanReadAsTheirName() {
        assertThat(errors("""
                x-timeouts: &t 2s
                drainTimeout: *t
                """)).containsExactly("gw.yaml: YAML aliases are not supported (*t at line 2); write the value out");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\n", "# just a comment\n", "---\n", "---\n# nothing\n...\n", "~", "null"})
    void emptyFiles(String yaml) {
        assertThat(errors(yaml)).containsExactly("gw.yaml: the file is empty");
    }

    @Test
    void nullTextIsAnEmptyFile() {
        assertThat(errors(null)).containsExactly("gw.yaml: the file is empty");
    }

    @Test
    void tooDeepNestingIsAnErrorNotAStackOverflow() {
        assertThat(errors("a: " + "[".repeat(5000) + "]".repeat(5000))).singleElement().asString()
                .startsWith("gw.yaml: not valid YAML").contains("nesting depth");
    }

    @Test
    void hugeFilesAreRefused() {
        assertThat(errors("zone: " + "x".repeat(4_000_000)))
                .containsExactly("gw.yaml: the file is too large (4000006 characters; at most 3145728)");
    }

    @Test
    void controlCharactersAreRefused() {
        assertThat(errors("zone: a\u0000b")).singleElement().asString().startsWith("gw.yaml: not valid YAML at line 1");
    }

    @Test
    void complexKeysAreRefused() {
        assertThat(errors("? [a, b]\n: c\n")).singleElement().asString().startsWith("gw.yaml: not valid YAML at line 1");
    }

    @Test
    void loadNamesAMissingFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yaml");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(missing));
        assertThat(e.errors()).containsExactly(missing + ": no such file");
    }

    @Test
    void loadNamesADirectory(@TempDir Path dir) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));
        assertThat(e.errors()).singleElement().asString().startsWith(dir + ": cannot read: ");
    }

    @Test
    void loadRefusesTextThatIsNotUtf8(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "zone: M\u00fcnchen\n".getBytes(StandardCharsets.ISO_8859_1));
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.errors()).containsExactly(file + ": cannot read: not UTF-8 text");
    }

    @Test
    void loadUsesThePathInSyntaxErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "routes: [\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.errors()).singleElement().asString().startsWith(file + ": not valid YAML at line 2");
    }
}
