package io.strait.config.load;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * YAML text to a JSON tree, refusing what would otherwise be silently misread: duplicate keys (the
 * last would win), aliases ({@code *name} would be read as the plain string "name") and a second
 * document after {@code ---} (it would be ignored). Syntax errors name their line.
 */
final class YamlText {
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // "field:" with nothing after it is null, as in YAML itself; the builder does not set this default
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
    /** SnakeYAML's own limit (3 Mi code points), checked first so that the refusal is quick and plain. */
    static final int MAX_CHARS = 3 * 1024 * 1024;

    private YamlText() {}

    /** The root of the document, or null when the text holds no document (empty, only comments, only ---). */
    static JsonNode read(String yaml, String source) throws ConfigException {
        if (yaml.length() > MAX_CHARS) {
            throw Errors.fileError(source, "the file is too large (" + yaml.length()
                    + " characters; at most " + MAX_CHARS + ")");
        }
        try {
            scan(yaml, source);
            JsonNode root = MAPPER.readTree(yaml);
            return root == null || root.isMissingNode() || root.isNull() ? null : root;
        } catch (JacksonException e) {
            throw Errors.fileError(source, "not valid YAML" + describe(e));
        } catch (IOException e) {
            throw Errors.fileError(source, "cannot read: " + e.getMessage());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    /** A JSON document's root, or null when the text holds none; the same size limit as YAML. */
    static JsonNode readJson(String json, String source) throws ConfigException {
        if (json.length() > MAX_CHARS) {
            throw Errors.fileError(source, "the document is too large (" + json.length()
                    + " characters; at most " + MAX_CHARS + ")");
        }
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
            throw Errors.fileError(source, "not valid JSON" + where + ": " + oneLine(msg.strip()));
        } catch (IOException e) {
            throw Errors.fileError(source, "cannot read: " + e.getMessage());
        }
    }

    /** One pass over the tokens for what the tree reader accepts silently. */
    private static void scan(String yaml, String source) throws IOException, ConfigException {
        try (YAMLParser p = FACTORY.createParser(yaml)) {
            int depth = 0;
            boolean rootDone = false;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (rootDone && t == JsonToken.VALUE_NULL) continue; // an empty document after the last ---
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

    /** {@code " at line 3, column 4: expected ..."}, on one line, without SnakeYAML's source excerpt. */
    private static String describe(JacksonException e) {
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            String where = at(m.getProblemMark());
            String problem = m.getProblem() == null ? "syntax error" : m.getProblem().strip();
            String context = m.getContext() == null ? ""
                    : " (" + m.getContext().strip() + (m.getContextMark() == null ? "" : " at line " + (m.getContextMark().getLine() + 1)) + ")";
            return where + ": " + oneLine(problem) + oneLine(context);
        }
        JsonLocation loc = e.getLocation();
        String where = loc == null || loc.getLineNr() < 1 ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        if (msg.startsWith("Duplicate field '")) msg = "duplicate key '" + msg.substring("Duplicate field '".length());
        int excerpt = msg.indexOf("\n in '");
        if (excerpt >= 0) msg = msg.substring(0, excerpt);
        return where + ": " + oneLine(msg.strip());
    }

    private static String at(Mark mark) {
        return " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ");
    }
}
