package io.strait.config.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.strait.config.model.ConfigReferences;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Resolves the references in a document's string values before it is read, so that secrets need not sit in the file:
 * {@code ${NAME}} is the environment variable NAME, {@code ${NAME:-default}} the same or {@code default} when it is
 * unset or empty (as in a shell), {@code ${file:/path}} the content of a file (a relative path from the config file's
 * folder; trailing line breaks removed, as {@code $(cat file)} does), and {@code $${} a literal {@code ${}. A
 * reference may be the whole value or part of it ({@code redis://:${REDIS_PASSWORD}@redis:6379}). Keys are never
 * resolved, nor numbers and booleans. A variable that is not set or a file that cannot be read is an error naming
 * the field. Reads files: blocking work, never on an event loop. The gateway's file, {@code PUT /config} and a sidecar's
 * file go through it.
 */
public final class References {
    /** Large enough for any secret, token or PEM bundle; a bigger file is a wrong path, not a secret. */
    static final int MAX_FILE_BYTES = 1024 * 1024;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String FILE = "file:";
    private static final String DEFAULT = ":-";
    static final String FORMS = "write ${NAME}, ${NAME:-default} or ${file:/path}, or $${ for a literal ${";

    private final Path baseDir;
    private final Function<String, String> env;
    private final Errors errors;
    private final Map<String, String> written = new LinkedHashMap<>();
    private final Set<Path> files = new LinkedHashSet<>();

    private References(Path baseDir, Function<String, String> env, Errors errors) {
        this.baseDir = baseDir;
        this.env = env;
        this.errors = errors;
    }

    /** Replaces every string value of {@code root} by its resolution, in place; problems go to {@code errors}. */
    public static ConfigReferences resolve(JsonNode root, Path baseDir, Function<String, String> env, Errors errors) {
        References r = new References(baseDir, env, errors);
        r.walk(root, "");
        return r.written.isEmpty() && r.files.isEmpty() ? ConfigReferences.NONE : new ConfigReferences(r.written, r.files);
    }

    private void walk(JsonNode node, String path) {
        if (node instanceof ObjectNode o) {
            for (Entry<String, JsonNode> e : List.copyOf(o.properties())) {
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                JsonNode v = e.getValue();
                if (v.isTextual()) {
                    String s = resolve(v.textValue(), p);
                    if (s != null) o.set(e.getKey(), TextNode.valueOf(s));
                } else {
                    walk(v, p);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                String p = path + "[" + i + "]";
                JsonNode v = a.get(i);
                if (v.isTextual()) {
                    String s = resolve(v.textValue(), p);
                    if (s != null) a.set(i, TextNode.valueOf(s));
                } else {
                    walk(v, p);
                }
            }
        }
    }

    /** The value with its references resolved; null when it has none (or one failed: then an error). */
    private String resolve(String value, String path) {
        if (value.indexOf('$') < 0) return null;
        StringBuilder out = new StringBuilder(value.length());
        boolean changed = false;
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '$' && value.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                changed = true;
            } else if (c == '$' && value.startsWith("${", i)) {
                int close = value.indexOf('}', i + 2);
                if (close < 0) {
                    errors.add(path, "'${' without a closing '}': " + FORMS);
                    return null;
                }
                String v = lookup(value.substring(i + 2, close), path);
                if (v == null) return null;
                out.append(v);
                i = close + 1;
                changed = true;
            } else {
                out.append(c);
                i++;
            }
        }
        if (!changed) return null;
        String resolved = out.toString();
        written.putIfAbsent(resolved, value);
        return resolved;
    }

    private String lookup(String body, String path) {
        if (body.startsWith(FILE)) return file(body.substring(FILE.length()), path);
        int d = body.indexOf(DEFAULT);
        String name = d < 0 ? body : body.substring(0, d);
        if (!NAME.matcher(name).matches()) {
            errors.add(path, "'${" + body + "}' is not a reference: " + FORMS);
            return null;
        }
        String v = env.apply(name);
        if (d >= 0) return v == null || v.isEmpty() ? body.substring(d + DEFAULT.length()) : v;
        if (v == null) {
            boolean lower = !name.equals(name.toUpperCase(java.util.Locale.ROOT));
            errors.add(path, "environment variable '" + name + "' is not set"
                    + (lower ? " (for a literal ${" + name + "}, such as a regex group, write $${" + name + "})" : ""));
        }
        return v;
    }

    private String file(String name, String path) {
        if (name.isBlank()) {
            errors.add(path, "'${file:}' names no file: " + FORMS);
            return null;
        }
        Path p = baseDir.resolve(name).toAbsolutePath().normalize();
        files.add(p);
        try {
            if (Files.size(p) > MAX_FILE_BYTES) {
                errors.add(path, "cannot read " + p + ": over " + MAX_FILE_BYTES + " bytes");
                return null;
            }
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(p))).toString();
            int end = text.length();
            while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) end--;
            return text.substring(0, end);
        } catch (NoSuchFileException e) {
            errors.add(path, "cannot read " + p + ": no such file");
        } catch (AccessDeniedException e) {
            errors.add(path, "cannot read " + p + ": permission denied");
        } catch (CharacterCodingException e) {
            errors.add(path, "cannot read " + p + ": not UTF-8 text");
        } catch (IOException e) {
            errors.add(path, "cannot read " + p + ": " + (Files.isDirectory(p) ? "a directory, not a file" : e.getMessage()));
        }
        return null;
    }
}
