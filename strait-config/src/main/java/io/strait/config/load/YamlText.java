package io.strait.config.load;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * YAML or JSON text to a JSON tree, refusing what would otherwise be silently misread: duplicate keys (the last would
 * win), YAML aliases ({@code *name} would be read as the plain string "name"), a second YAML document after
 * {@code ---} (it would be ignored) and a second JSON value. Syntax errors name their line. The gateway's file and
 * {@code PUT /config} are read with it, and so is everything a mesh sidecar reads: the tree is built from Jackson's
 * streaming parser in one pass, without an {@code ObjectMapper} (see {@link TreeBuilder}), with the node types
 * {@code readTree} gives.
 */
public final class YamlText {
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // "field:" with nothing after it is null, as in YAML itself; the builder does not set this default
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** SnakeYAML's own limit (3 Mi code points), checked first so that the refusal is quick and plain. */
    static final int MAX_CHARS = 3 * 1024 * 1024;

    private YamlText() {}

    /**
     * The root of the YAML document in {@code yaml}, or null when the text holds none (empty, only comments, only
     * {@code ---}); {@code source} names the text in errors ({@code sidecar.yaml: not valid YAML at line 3, ...}).
     *
     * @throws ConfigException with one error when the text is not one valid YAML document
     */
    public static JsonNode read(String yaml, String source) throws ConfigException {
        if (yaml.length() > MAX_CHARS) {
            throw Errors.fileError(source, "the file is too large (" + yaml.length()
                    + " characters; at most " + MAX_CHARS + ")");
        }
        try (YAMLParser p = FACTORY.createParser(yaml)) {
            // value errors (a number that does not convert) come after the whole text's syntax, alias and document errors
            TreeBuilder tree = new TreeBuilder(p, (parser, t) -> refuseAlias((YAMLParser) parser, source), true);
            JsonToken t = p.nextToken();
            if (t == null) return null;
            refuseAlias(p, source);
            JsonNode root = tree.value(t);
            for (t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.VALUE_NULL) continue; // an empty document after the last ---
                throw Errors.fileError(source, "the file holds more than one YAML document"
                        + " (the next starts at line " + p.currentTokenLocation().getLineNr() + "); use one");
            }
            tree.throwDeferred();
            return root.isNull() ? null : root;
        } catch (JacksonException e) {
            throw Errors.fileError(source, "not valid YAML" + describe(e));
        } catch (IOException e) {
            throw Errors.fileError(source, "cannot read: " + e.getMessage());
        }
    }

    /**
     * The root of the JSON value in {@code json}, or null when the text holds none (or only {@code null}); the same
     * size limit as YAML; {@code source} names the text in errors.
     *
     * @throws ConfigException with one error when the text is not one valid JSON value
     */
    public static JsonNode readJson(String json, String source) throws ConfigException {
        if (json.length() > MAX_CHARS) {
            throw Errors.fileError(source, "the document is too large (" + json.length()
                    + " characters; at most " + MAX_CHARS + ")");
        }
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) return null;
            JsonNode root = new TreeBuilder(p, (parser, token) -> { }, false).value(t);
            if (p.nextToken() != null) {
                throw Errors.fileError(source, "not valid JSON at line " + p.currentTokenLocation().getLineNr()
                        + ": more than one value; send one object");
            }
            return root.isNull() ? null : root;
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

    /** An alias ({@code *name}) would be read as the plain string "name": refused. */
    private static void refuseAlias(YAMLParser p, String source) throws IOException, ConfigException {
        if (p.isCurrentAlias()) {
            throw Errors.fileError(source, "YAML aliases are not supported (*" + p.getText()
                    + " at line " + p.currentTokenLocation().getLineNr() + "); write the value out");
        }
    }

    /** {@code " at line 3, column 4: expected ..."}, on one line, without SnakeYAML's source excerpt. */
    static String describe(JacksonException e) {
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

    static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ");
    }
}
