package io.strait.proxy.http;

/**
 * Byte classes of HTTP/1.1 framing (RFC 9110 5.5, 5.6.2; RFC 9112 7.1), for the raw-byte scanners of
 * requests and responses.
 */
public final class HttpBytes {
    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] FIELD_VALUE = new boolean[256];

    static {
        // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        for (int c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (int c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
        // field-content bytes: HTAB, SP, VCHAR and obs-text (RFC 9110 5.5)
        FIELD_VALUE['\t'] = true;
        for (int c = 0x20; c <= 0xFF; c++) FIELD_VALUE[c] = c != 0x7F;
    }

    private HttpBytes() {}

    public static boolean isTchar(byte b) {
        return TCHAR[b & 0xFF];
    }

    /** field-content bytes: HTAB, SP, VCHAR and obs-text (RFC 9110 5.5); everything else is a control byte. */
    public static boolean isFieldValueByte(byte b) {
        return FIELD_VALUE[b & 0xFF];
    }

    /** OWS: SP or HTAB. */
    public static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    /** The value of a hexadecimal digit, or -1. */
    public static int hex(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }

    /** ASCII lower case of {@code b}. */
    public static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }
}
