package io.strait.filters;

/**
 * The RFC 9110 syntax the standard filters check names and values against, at load (config) and at run
 * time (values built from request data): a loop over chars, no regular expression.
 */
public final class HttpSyntax {
    private HttpSyntax() {}

    /** Whether {@code s} is a non-empty token (RFC 9110 5.6.2): a header name or a method. */
    public static boolean isToken(CharSequence s) {
        if (s.length() == 0) return false;
        for (int i = 0; i < s.length(); i++) {
            if (!isTchar(s.charAt(i))) return false;
        }
        return true;
    }

    private static boolean isTchar(char c) {
        if (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') return true;
        return switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }

    /**
     * The index of the first char that may not appear in a header value (RFC 9110 5.5: visible ASCII,
     * space, tab, and obs-text up to 0xFF), or -1: CR, LF, NUL and other controls never reach the wire.
     */
    public static int invalidValueChar(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) return i;
        }
        return -1;
    }
}
