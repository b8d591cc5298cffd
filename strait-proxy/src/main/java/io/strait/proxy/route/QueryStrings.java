package io.strait.proxy.route;

import java.nio.charset.StandardCharsets;

/**
 * Reads parameters straight out of a raw query string ({@code a=1&b=x%20y}): names and values are
 * {@code application/x-www-form-urlencoded} ({@code %XX} as UTF-8 and {@code +} as space). Nothing is allocated
 * to find a plain name; a value is decoded only when asked for. Malformed escapes are kept literally.
 */
final class QueryStrings {
    private QueryStrings() {}

    /** The index just past the name of the first parameter called {@code name} ('=', '&' or the end), or -1. */
    static int find(String query, String name) {
        if (query == null) return -1;
        int n = query.length();
        int start = 0;
        while (start <= n) {
            int end = query.indexOf('&', start);
            if (end < 0) end = n;
            int eq = start;
            while (eq < end && query.charAt(eq) != '=') eq++;
            if (eq > start && nameEquals(query, start, eq, name)) return eq;
            start = end + 1;
        }
        return -1;
    }

    /** The decoded value of the parameter whose name ends at {@code nameEnd} (from {@link #find}); "" if no '='. */
    static String valueAt(String query, int nameEnd) {
        if (nameEnd >= query.length() || query.charAt(nameEnd) != '=') return "";
        int end = query.indexOf('&', nameEnd + 1);
        return decode(query, nameEnd + 1, end < 0 ? query.length() : end);
    }

    private static boolean nameEquals(String q, int from, int to, String name) {
        for (int i = from; i < to; i++) {
            char c = q.charAt(i);
            if (c == '%' || c == '+') return decode(q, from, to).equals(name);
        }
        return to - from == name.length() && q.regionMatches(from, name, 0, to - from);
    }

    static String decode(String s, int from, int to) {
        int first = from;
        while (first < to && s.charAt(first) != '%' && s.charAt(first) != '+') first++;
        if (first == to) return s.substring(from, to);
        StringBuilder out = new StringBuilder(to - from).append(s, from, first);
        byte[] bytes = null;
        for (int i = first; i < to; ) {
            char c = s.charAt(i);
            int v = c == '%' && i + 2 < to ? escape(s, i) : -1;
            if (v < 0) {
                out.append(c == '+' ? ' ' : c);
                i++;
                continue;
            }
            // a run of escapes is one UTF-8 byte sequence
            if (bytes == null) bytes = new byte[(to - i) / 3];
            int count = 0;
            while (v >= 0) {
                bytes[count++] = (byte) v;
                i += 3;
                v = i + 2 < to && s.charAt(i) == '%' ? escape(s, i) : -1;
            }
            out.append(new String(bytes, 0, count, StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    /** The byte of the well-formed escape at {@code s[i]} == '%', or -1. */
    private static int escape(String s, int i) {
        int hi = hex(s.charAt(i + 1));
        int lo = hex(s.charAt(i + 2));
        return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }
}
