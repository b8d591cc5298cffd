package io.strait.gateway.apikey;

/**
 * Finds and removes one parameter in a raw query string. Names are compared as sent and values are not
 * percent-decoded: a key never needs escaping, so an escaped key is simply malformed. Parameters are
 * separated by {@code &} only.
 */
final class QueryParam {
    private QueryParam() {}

    /** Values of {@code name}: null when absent, else the first value; {@link #count} tells duplicates. */
    static String first(String query, String name) {
        if (query == null || query.isEmpty()) return null;
        int start = 0;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) end = query.length();
            String v = value(query, start, end, name);
            if (v != null) return v;
            start = end + 1;
        }
        return null;
    }

    static int count(String query, String name) {
        if (query == null || query.isEmpty()) return 0;
        int n = 0;
        int start = 0;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) end = query.length();
            if (value(query, start, end, name) != null) n++;
            start = end + 1;
        }
        return n;
    }

    /** The query without any {@code name} parameter; null when nothing is left. */
    static String remove(String query, String name) {
        if (query == null || query.isEmpty()) return query;
        StringBuilder out = new StringBuilder(query.length());
        int start = 0;
        boolean removed = false;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) end = query.length();
            if (value(query, start, end, name) != null) {
                removed = true;
            } else if (end > start) {
                if (!out.isEmpty()) out.append('&');
                out.append(query, start, end);
            }
            start = end + 1;
        }
        if (!removed) return query;
        return out.isEmpty() ? null : out.toString();
    }

    /** The value when {@code query[start,end)} is {@code name} or {@code name=value}, else null. */
    private static String value(String query, int start, int end, String name) {
        int n = name.length();
        if (end - start < n || !query.regionMatches(start, name, 0, n)) return null;
        if (start + n == end) return "";
        return query.charAt(start + n) == '=' ? query.substring(start + n + 1, end) : null;
    }
}
