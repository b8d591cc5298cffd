package io.strait.proxy.route;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Iterator;

/**
 * Finds one cookie in a request's {@code Cookie} headers ({@code a=1; b=2}, RFC 6265 section 4.2; HTTP/2 may
 * split them over several headers, RFC 9113 section 8.2.3).
 *
 * <p>A hand scan rather than Netty's {@code ServerCookieDecoder.LAX}: the decoder builds a {@code Cookie}
 * object for every cookie of the header (browsers send dozens) on every routing attempt, while a route only asks
 * for one name; scanning in place allocates nothing but the value found. It reads leniently as LAX does:
 * whitespace around names and values is ignored, a value in double quotes loses them (as Netty and Envoy do),
 * pairs without {@code =} are skipped, names are case-sensitive, and the first cookie of a name wins.
 */
final class Cookies {
    private Cookies() {}

    /** The value of the first cookie called {@code name} in any {@code Cookie} header, or null. */
    static String find(HttpHeaders headers, String name) {
        Iterator<String> it = headers.valueStringIterator(HttpHeaderNames.COOKIE);
        while (it.hasNext()) {
            String v = value(it.next(), name);
            if (v != null) return v;
        }
        return null;
    }

    /** The value of the first cookie called {@code name} in one header value, or null. */
    static String value(String header, String name) {
        int n = header.length();
        int i = 0;
        while (i < n) {
            while (i < n && (isSpace(header.charAt(i)) || header.charAt(i) == ';')) i++;
            int end = header.indexOf(';', i);
            if (end < 0) end = n;
            int eq = header.indexOf('=', i);
            if (eq >= 0 && eq < end) {
                int nameEnd = eq;
                while (nameEnd > i && isSpace(header.charAt(nameEnd - 1))) nameEnd--;
                if (nameEnd - i == name.length() && header.regionMatches(i, name, 0, name.length())) {
                    return unquote(header, eq + 1, end);
                }
            }
            i = end + 1;
        }
        return null;
    }

    private static String unquote(String s, int from, int to) {
        while (from < to && isSpace(s.charAt(from))) from++;
        while (to > from && isSpace(s.charAt(to - 1))) to--;
        if (to - from >= 2 && s.charAt(from) == '"' && s.charAt(to - 1) == '"') {
            from++;
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
