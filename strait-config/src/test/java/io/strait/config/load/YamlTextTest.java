package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link YamlText} builds its trees without an ObjectMapper: the same trees, node class for node class, and the same
 * errors as the reader it replaced ({@code ObjectMapper.readTree} after a scan pass for YAML, {@code readTree} on a
 * strict parser for JSON), which this test keeps as the reference.
 */
class YamlTextTest {

    static Stream<String> yamlDocuments() {
        return Stream.of(
                "a: 1", "port: 8080", "port: \"8080\"", "port: '8080'", "n: 2147483647", "n: 2147483648", "n: -2147483649",
                "n: 9223372036854775807", "n: 9223372036854775808", "n: 123456789012345678901234567890", "n: -1", "n: +1",
                "n: 0x1F", "n: 0o17", "n: 017", "n: 0b101", "n: 1_000", "f: 1.5", "f: -0.0", "f: 1e3", "f: 1.0e+3",
                "f: 0.1", "f: 1e400", "n: 1111111111111111111111111111111111111111111111111111111111111111",
                "b: yes", "b: no", "b: on", "b: off", "b: y", "b: n", "b: true", "b: True", "b: FALSE",
                "z: ~", "z: null", "z: Null", "z:", "z: ''", "z: \"\"", "d: 2026-12-05", "t: 12:30",
                "s: |\n  two\n  lines\n", "s: >\n  folded\n  text\n", "s: !!str 123", "i: !!int \"5\"", "x: !!binary aGVsbG8=",
                "l: [1, 'a', 2.5, null, true, [], {}]", "m: {a: {b: {c: [1, {d: e}]}}}", "- 1\n- two\n- [3]\n",
                "1: one\n2.5: two\ntrue: three\n~: four", "plain", "42", "3.25", "true", "[]", "{}", "- ", "---\na: 1\n...\n",
                "---\na: 1\n---\n", "a:\n  - b: 1\n    c:\n  - ~\n", "\"quoted root\"", "k: 'it''s'", "k: \"\\u00e9\\t\"");
    }

    @ParameterizedTest
    @MethodSource("yamlDocuments")
    void yamlTreesAreReadTreesNodeForNode(String yaml) throws Exception {
        JsonNode expected = Reference.yaml(yaml);
        JsonNode actual = YamlText.read(yaml, "t.yaml");
        assertSameTree(actual, expected, "$");
    }

    static Stream<String> jsonDocuments() {
        return Stream.of(
                "{\"a\": 1}", "{\"port\": \"8080\"}", "2147483647", "2147483648", "-9223372036854775808", "9223372036854775808",
                "123456789012345678901234567890", "1.5", "-0.0", "1e3", "1E-3", "1e400", "0.1", "true", "false", "null", " ",
                "\"text\"", "[1, \"a\", 2.5, null, true, [], {}]", "{\"m\": {\"a\": {\"b\": [1, {\"c\": \"d\"}]}}}",
                "{\"u\": \"\\u00e9\\n\"}", "{\"\": 1}", "[[[[]]]]");
    }

    @ParameterizedTest
    @MethodSource("jsonDocuments")
    void jsonTreesAreReadTreesNodeForNode(String json) throws Exception {
        JsonNode expected = Reference.json(json);
        JsonNode actual = YamlText.readJson(json, "t.json");
        assertSameTree(actual, expected, "$");
    }

    @Test
    void numbersAndScalarsHaveReadTreesNodeTypes() throws Exception {
        JsonNode n = YamlText.read("""
                small: 8080
                quoted: "8080"
                long: 3000000000
                big: 123456789012345678901234567890
                float: 1.5
                hex: 0x1F
                yes: yes
                on: on
                tilde: ~
                empty:
                flag: true
                """, "t.yaml");
        assertThat(n.get("small")).isInstanceOf(IntNode.class);
        assertThat(n.get("small").isInt()).isTrue();
        assertThat(n.get("quoted")).isEqualTo(TextNode.valueOf("8080"));
        assertThat(n.get("long")).isInstanceOf(LongNode.class);
        assertThat(n.get("long").canConvertToInt()).isFalse();
        assertThat(n.get("big")).isInstanceOf(BigIntegerNode.class);
        assertThat(n.get("big").isIntegralNumber()).isTrue();
        assertThat(n.get("float")).isEqualTo(DoubleNode.valueOf(1.5));
        assertThat(n.get("hex")).isEqualTo(IntNode.valueOf(31));
        assertThat(n.get("yes")).isEqualTo(BooleanNode.TRUE); // YAML 1.1's booleans, as Jackson's parser reports them
        assertThat(n.get("on")).isEqualTo(BooleanNode.TRUE);
        assertThat(n.get("tilde")).isEqualTo(NullNode.getInstance());
        assertThat(n.get("empty")).isEqualTo(NullNode.getInstance());
        assertThat(n.get("flag")).isEqualTo(BooleanNode.TRUE);
        assertThat(YamlText.read("x: !!binary aGVsbG8=", "t.yaml").get("x")).isInstanceOf(BinaryNode.class);
        JsonNode j = YamlText.readJson("{\"i\": 1, \"l\": 3000000000, \"b\": 99999999999999999999, \"d\": 1.0}", "t.json");
        assertThat(List.of(j.get("i"), j.get("l"), j.get("b"), j.get("d"))).map(Object::getClass)
                .containsExactly(IntNode.class, LongNode.class, BigIntegerNode.class, DoubleNode.class);
    }

    @Test
    void emptyTextAndNullRootsAreNull() throws Exception {
        for (String yaml : List.of("", "# c\n", "---\n", "~", "null", "---\n...\n---\n")) {
            assertThat(YamlText.read(yaml, "t.yaml")).as(yaml).isNull();
        }
        for (String json : List.of("", "  \n", "null")) assertThat(YamlText.readJson(json, "t.json")).as(json).isNull();
    }

    static Stream<String> badYaml() {
        String inf = ".inf"; // a float the parser reports and then cannot convert: an error of readTree, not of the scan
        return Stream.of(
                "a: 1\na: 2", "a: &x 1\nb: *x", "a: 1\n---\nb: 2", "a: [1,\n", "a:\n\tb: 1", "a: b: c", "? [a, b]\n: c\n",
                "a: 1\n---\n*x", "a: *x\na: 1", "a: 1\na: *x", "a: 1\n---\nb: [", "a: " + "[".repeat(2000) + "]".repeat(2000),
                "f: .inf", "f: -.inf", "f: .nan", "n: " + inf + "\nb: *x", "n: " + inf + "\n---\nb: 1", "n: " + inf + "\nb: [",
                "b: *x\nn: " + inf, "n: " + inf + "\nm: -.inf", "- [.nan]\n- {a: .inf}\n- *x", "x: !!binary '%%%'",
                "x: !!binary '%%%'\ny: *a", "zone: a\u0000b", "- a\n- b\n---\n- c", "a: 1\nb:\n  c: 1\n  c: 2\n");
    }

    @ParameterizedTest
    @MethodSource("badYaml")
    void yamlErrorsAreTheTwoPassReadersErrors(String yaml) {
        List<String> expected = errors(() -> Reference.yaml(yaml));
        List<String> actual = errors(() -> YamlText.read(yaml, "t.yaml"));
        assertThat(actual).as(yaml.length() > 200 ? yaml.substring(0, 200) : yaml).isEqualTo(expected).isNotEmpty();
    }

    static Stream<String> badJson() {
        return Stream.of(
                "{\"a\": 1, \"a\": 2}", "{\"a\": 1} {}", "{} x", "{\"a\": [1,]}", "{\"a\": 1}}", "[1, 2", "01", "NaN", "{a: 1}",
                "{\"n\": " + "1".repeat(1500) + "}", "{\"f\": 1." + "5".repeat(1500) + "}", "[".repeat(2000) + "]".repeat(2000),
                "\"unterminated", "{\"a\": tru}", "null 1", "1 2");
    }

    @ParameterizedTest
    @MethodSource("badJson")
    void jsonErrorsAreTheMappersErrors(String json) {
        List<String> expected = errors(() -> Reference.json(json));
        List<String> actual = errors(() -> YamlText.readJson(json, "t.json"));
        assertThat(actual).as(json.length() > 200 ? json.substring(0, 200) : json).isEqualTo(expected).isNotEmpty();
    }

    @Test
    void anErrorNamesTheSourceAndLine() {
        assertThat(errors(() -> YamlText.read("a: 1\nb: &x 2\nc: *x\n", "sidecar.yaml")))
                .containsExactly("sidecar.yaml: YAML aliases are not supported (*x at line 3); write the value out");
        assertThat(errors(() -> YamlText.readJson("{\"a\": 1,\n \"a\": 2}", "policy 0")))
                .containsExactly("policy 0: not valid JSON at line 2, column 5: duplicate key 'a'");
    }

    private interface Read {
        JsonNode read() throws Exception;
    }

    private static List<String> errors(Read read) {
        ConfigException e = catchThrowableOfType(ConfigException.class, read::read);
        return e == null ? List.of() : e.errors();
    }

    /** The same node classes and values all the way down (JsonNode.equals alone lets 1 and 1L differ only sometimes). */
    private static void assertSameTree(JsonNode actual, JsonNode expected, String path) {
        if (expected == null) {
            assertThat(actual).as(path).isNull();
            return;
        }
        assertThat(actual).as(path).isNotNull();
        assertThat(actual.getClass()).as(path).isEqualTo(expected.getClass());
        assertThat(actual).as(path).isEqualTo(expected);
        if (expected.isObject()) {
            assertThat(List.copyOf(actual.properties()).stream().map(Map.Entry::getKey).toList()).as(path)
                    .isEqualTo(List.copyOf(expected.properties()).stream().map(Map.Entry::getKey).toList());
            for (Map.Entry<String, JsonNode> e : expected.properties()) assertSameTree(actual.get(e.getKey()), e.getValue(), path + "." + e.getKey());
        } else if (expected.isArray()) {
            Iterator<JsonNode> a = actual.elements();
            int i = 0;
            for (JsonNode e : expected) assertSameTree(a.next(), e, path + "[" + i++ + "]");
        }
    }

    /** The readers YamlText had before it built trees itself: an ObjectMapper's readTree (after a scan pass, for YAML). */
    private static final class Reference {
        private static final YAMLFactory FACTORY = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();
        private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
        private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

        static JsonNode yaml(String yaml) throws ConfigException {
            String source = "t.yaml";
            try {
                scan(yaml, source);
                JsonNode root = MAPPER.readTree(yaml);
                return root == null || root.isMissingNode() || root.isNull() ? null : root;
            } catch (JacksonException e) {
                throw Errors.fileError(source, "not valid YAML" + YamlText.describe(e));
            } catch (IOException e) {
                throw Errors.fileError(source, "cannot read: " + e.getMessage());
            }
        }

        static JsonNode json(String json) throws ConfigException {
            String source = "t.json";
            try (var p = JSON.createParser(json)) {
                JsonNode root = JSON.readTree(p);
                if (root != null && p.nextToken() != null) {
                    throw Errors.fileError(source, "not valid JSON at line " + p.currentTokenLocation().getLineNr()
                            + ": more than one value; send one object");
                }
                return root == null || root.isMissingNode() || root.isNull() ? null : root;
            } catch (JacksonException e) {
                String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
                if (msg.startsWith("Duplicate field '")) msg = "duplicate key '" + msg.substring("Duplicate field '".length());
                JsonLocation loc = e.getLocation();
                String where = loc == null || loc.getLineNr() < 1 ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
                throw Errors.fileError(source, "not valid JSON" + where + ": " + YamlText.oneLine(msg.strip()));
            } catch (IOException e) {
                throw Errors.fileError(source, "cannot read: " + e.getMessage());
            }
        }

        private static void scan(String yaml, String source) throws IOException, ConfigException {
            try (YAMLParser p = FACTORY.createParser(yaml)) {
                int depth = 0;
                boolean rootDone = false;
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    if (rootDone && t == JsonToken.VALUE_NULL) continue;
                    if (rootDone) {
                        throw Errors.fileError(source, "the file holds more than one YAML document"
                                + " (the next starts at line " + p.currentTokenLocation().getLineNr() + "); use one");
                    }
                    if (p.isCurrentAlias()) {
                        throw Errors.fileError(source, "YAML aliases are not supported (*" + p.getText()
                                + " at line " + p.currentTokenLocation().getLineNr() + "); write the value out");
                    }
                    if (t.isStructStart()) depth++;
                    else if (t.isStructEnd()) depth--;
                    if (depth == 0 && t != JsonToken.FIELD_NAME) rootDone = true;
                }
            }
        }
    }
}
