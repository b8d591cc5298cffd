package io.strait.proxy.cluster.lb;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.ClusterConfig.HashOn;

/**
 * Extracts a request's hash key (ring-hash, sticky traffic splits): a header, a cookie or the
 * client's IP; null when absent.
 */
public final class HashKey {
    private final String header;
    private final String cookie;
    private final boolean sourceIp;

    public HashKey(HashOn on) {
        this.header = on.header();
        this.cookie = on.cookie();
        this.sourceIp = on.sourceIp();
    }

    public String of(LbContext ctx) {
        if (ctx == null) return null;
        if (header != null) {
            HttpHeaders headers = ctx.requestHeaders();
            return headers == null ? null : headers.get(header);
        }
        if (cookie != null) {
            HttpHeaders headers = ctx.requestHeaders();
            return headers == null ? null : cookie(headers, cookie);
        }
        return sourceIp ? ctx.sourceIp() : null;
    }

    /** The value of cookie {@code name} in the request's Cookie header(s) (RFC 6265 section 4.2), or null. */
    static String cookie(HttpHeaders headers, String name) {
        for (String line : headers.getAll(HttpHeaderNames.COOKIE)) {
            int i = 0;
            int n = line.length();
            while (i < n) {
                int end = line.indexOf(';', i);
                if (end < 0) end = n;
                int eq = line.indexOf('=', i);
                if (eq > 0 && eq < end && nameMatches(line, i, eq, name)) return value(line, eq + 1, end);
                i = end + 1;
            }
        }
        return null;
    }

    private static boolean nameMatches(String line, int from, int to, String name) {
        while (from < to && line.charAt(from) == ' ') from++;
        while (to > from && line.charAt(to - 1) == ' ') to--;
        return to - from == name.length() && line.regionMatches(from, name, 0, name.length());
    }

    private static String value(String line, int from, int to) {
        while (from < to && line.charAt(from) == ' ') from++;
        while (to > from && line.charAt(to - 1) == ' ') to--;
        if (to - from >= 2 && line.charAt(from) == '"' && line.charAt(to - 1) == '"') {
            from++;
            to--;
        }
        return line.substring(from, to);
    }
}
