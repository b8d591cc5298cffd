package io.strait.gateway.jwt;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/** Finds the bearer token of a request and checks its shape (size, characters) before anything parses it. */
final class BearerToken {
    /**
     * Real access tokens are 1-2 KiB; 8 KiB fits tokens with many groups or scopes. Anything larger is refused
     * before hashing, base64 or JSON decoding, so an oversized header costs nothing but a length check.
     */
    static final int MAX_TOKEN_CHARS = 8 * 1024;
    /** The longest kid we look up: real ones are UUIDs or thumbprints (under 100 chars). */
    static final int MAX_KID_CHARS = 256;
    private static final String SCHEME = "Bearer";

    /** What the Authorization header holds: a token (well formed so far), nothing for us, or a broken credential. */
    sealed interface Result {}
    record Token(String value) implements Result {}
    record NotBearer() implements Result {}
    record Rejected(String reason) implements Result {}

    private static final Result NOT_BEARER = new NotBearer();

    private BearerToken() {}

    static Result extract(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.AUTHORIZATION);
        if (values.isEmpty()) return NOT_BEARER;
        if (values.size() > 1) return new Rejected(Reasons.MULTIPLE_HEADERS);
        String v = values.get(0);
        int n = SCHEME.length();
        if (v.length() < n || !v.regionMatches(true, 0, SCHEME, 0, n)) return NOT_BEARER;
        if (v.length() == n) return new Rejected(Reasons.MALFORMED);
        char sep = v.charAt(n);
        if (sep != ' ' && sep != '\t') return NOT_BEARER; // e.g. "BearerX": another scheme
        // Bounded before any scan: scheme + whitespace + token (leading whitespace beyond 64 chars is not real-world)
        if (v.length() > MAX_TOKEN_CHARS + n + 64) return new Rejected(Reasons.TOO_LARGE);
        int start = n;
        int end = v.length();
        while (start < end && isSpace(v.charAt(start))) start++;
        while (end > start && isSpace(v.charAt(end - 1))) end--;
        if (start == end) return new Rejected(Reasons.MALFORMED);
        if (end - start > MAX_TOKEN_CHARS) return new Rejected(Reasons.TOO_LARGE);
        String token = v.substring(start, end);
        return isCompactJws(token) ? new Token(token) : new Rejected(Reasons.MALFORMED);
    }

    /** Three base64url parts (no padding) separated by two dots; header and payload not empty. */
    static boolean isCompactJws(String t) {
        int dots = 0;
        int partStart = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '.') {
                if (++dots > 2 || i == partStart) return false;
                partStart = i + 1;
            } else if (!isBase64Url(c)) {
                return false;
            }
        }
        return dots == 2;
    }

    /**
     * A {@code kid} is only ever a map key here, but it may end up in logs or be used by other tools as a path or
     * URL: refuse anything that looks like one, and anything with control characters.
     */
    static boolean isSafeKid(String kid) {
        if (kid.isEmpty() || kid.length() > MAX_KID_CHARS || kid.contains("..")) return false;
        for (int i = 0; i < kid.length(); i++) {
            char c = kid.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':') return false;
        }
        return true;
    }

    private static boolean isBase64Url(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
