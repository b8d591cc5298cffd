package io.strait.filters.transform;

import java.util.ArrayList;
import java.util.List;

/**
 * A JSON pointer (RFC 6901) parsed once at load: {@code /user/name}, {@code /tags/0}, {@code /tags/-} (the end of
 * an array), with {@code ~1} for {@code /} and {@code ~0} for {@code ~} inside a name.
 *
 * @param text the pointer as written
 * @param tokens its reference tokens, unescaped
 */
record JsonPointer(String text, List<String> tokens) {
    /** The token that names the place after an array's last element. */
    static final String END = "-";

    JsonPointer {
        tokens = List.copyOf(tokens);
    }

    /** Parses {@code text}; the message of the exception says what is wrong (the caller adds the path). */
    static JsonPointer parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("invalid JSON pointer: the empty pointer names the whole body; name a member, e.g. /user/name");
        }
        if (text.charAt(0) != '/') {
            throw new IllegalArgumentException("invalid JSON pointer: it starts with '/' (RFC 6901), e.g. /" + text);
        }
        List<String> tokens = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '/') {
                tokens.add(token.toString());
                token.setLength(0);
                continue;
            }
            char c = text.charAt(i);
            if (c == '~') {
                char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
                if (next != '0' && next != '1') {
                    throw new IllegalArgumentException("invalid JSON pointer: '~' at " + i + " is not ~0 (for ~) or ~1 (for /)");
                }
                token.append(next == '0' ? '~' : '/');
                i++;
            } else {
                token.append(c);
            }
        }
        for (int i = 0; i < tokens.size() - 1; i++) {
            if (tokens.get(i).equals(END)) {
                throw new IllegalArgumentException("invalid JSON pointer: '-' (the end of an array) can only be the last token");
            }
        }
        return new JsonPointer(text, tokens);
    }

    /** The last token: the member name or array index the pointer ends at. */
    String last() {
        return tokens.get(tokens.size() - 1);
    }

    /** Whether the pointer ends at {@code -}, the place after an array's last element. */
    boolean endsAtArrayEnd() {
        return last().equals(END);
    }

    /**
     * A token as an array index: digits without a leading zero (RFC 6901 section 4), or -1 when it is not one.
     */
    static int index(String token) {
        int n = token.length();
        if (n == 0 || n > 9 || (n > 1 && token.charAt(0) == '0')) return -1;
        for (int i = 0; i < n; i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') return -1;
        }
        return Integer.parseInt(token);
    }

    @Override
    public String toString() {
        return text;
    }
}
