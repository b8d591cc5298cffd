package io.strait.config.load;

import java.util.ArrayList;
import java.util.List;

/**
 * Every validation problem of one load, in the order found, each as {@code path: message} on one
 * line: control characters a file puts into keys or values are shown escaped ({@code \n}).
 */
public final class Errors {
    private final List<String> list = new ArrayList<>();

    public void add(String path, String message) {
        list.add(escape(path.isEmpty() ? message : path + ": " + message));
    }

    private static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= ' ' && (c < 0x7f || c > 0x9f) && c != '\u2028' && c != '\u2029') {
                if (out != null) out.append(c);
                continue;
            }
            if (out == null) out = new StringBuilder(s.length() + 8).append(s, 0, i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out == null ? s : out.toString();
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    /** How many errors so far; a reader compares counts to avoid a second, derived error. */
    public int size() {
        return list.size();
    }

    /** One error for the whole file (unreadable, not YAML): {@code source: message}, escaped like the rest. */
    static ConfigException fileError(String source, String message) {
        Errors e = new Errors();
        e.add(source, message);
        return new ConfigException(e.list());
    }

    public List<String> list() {
        return List.copyOf(list);
    }
}
