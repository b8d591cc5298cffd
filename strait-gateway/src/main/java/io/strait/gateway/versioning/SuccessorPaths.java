package io.strait.gateway.versioning;

/** The successor version's address of a request: its path or query with the version replaced. */
final class SuccessorPaths {
    private SuccessorPaths() {}

    /**
     * {@code path} with segment number {@code segment} ({@code version}) replaced by {@code successor}
     * ({@code /api/v1/users/7}, 1: {@code /api/v2/users/7}); when that segment is not {@code version} (a default
     * version's path without it), {@code successor} is put in as that segment.
     */
    static String swapSegment(String path, int segment, String version, String successor) {
        if (segment < 0 || path == null || path.isEmpty()) return path;
        int start = 1;
        for (int i = 0; i < segment; i++) {
            int slash = path.indexOf('/', start);
            if (slash < 0) return path + "/" + successor;
            start = slash + 1;
        }
        int end = path.indexOf('/', start);
        if (end < 0) end = path.length();
        if (path.regionMatches(start, version, 0, version.length()) && end - start == version.length()) {
            return path.substring(0, start) + successor + path.substring(end);
        }
        return path.substring(0, start) + successor + "/" + path.substring(start);
    }

    /** {@code rawQuery} with parameter {@code name} set to {@code value} (replaced where it was, else added last). */
    static String withParameter(String rawQuery, String name, String value) {
        String pair = name + "=" + value;
        if (rawQuery == null || rawQuery.isEmpty()) return pair;
        StringBuilder b = new StringBuilder();
        boolean replaced = false;
        for (String p : rawQuery.split("&", -1)) {
            int eq = p.indexOf('=');
            String n = eq < 0 ? p : p.substring(0, eq);
            if (!b.isEmpty()) b.append('&');
            if (!replaced && n.equals(name)) {
                b.append(pair);
                replaced = true;
            } else {
                b.append(p);
            }
        }
        if (!replaced) b.append('&').append(pair);
        return b.toString();
    }
}
