package io.strait.proxy.route;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.VersionSetConfig;
import io.strait.config.model.VersionSetConfig.Scheme;
import java.util.List;

/**
 * How a request names its API version under a version set's scheme ({@code header}, {@code query} and
 * {@code mediaType}; for {@code path} each route's path carries its version), and which of the set's versions that
 * is. The router matches on it; the gateway's {@code version} filter asks again to answer 400 for a version the set
 * does not know.
 *
 * <p>A value names a version by its exact name, or, when no version has that name, by the name with a {@code v} in
 * front: {@code X-API-Version: 2} and {@code Accept: application/vnd.acme+json; version=2} both select {@code v2}.
 */
public final class ApiVersions {
    private ApiVersions() {}

    /** The version the request names by {@code set}'s scheme, as written (trimmed, unquoted); null when it names none. */
    public static String requested(VersionSetConfig set, HttpHeaders headers, String rawQuery) {
        return switch (set.scheme()) {
            case HEADER -> nonEmpty(headers == null ? null : headers.get(set.header()));
            case QUERY -> {
                int at = QueryStrings.find(rawQuery, set.query());
                yield at < 0 ? null : nonEmpty(QueryStrings.valueAt(rawQuery, at));
            }
            case MEDIA_TYPE -> headers == null ? null : mediaTypeParameter(headers.getAll(HttpHeaderNames.ACCEPT), set);
            case PATH -> null;
        };
    }

    /** The set's version that {@code value} names (exactly, else with a {@code v} in front), or null. */
    public static String resolve(VersionSetConfig set, String value) {
        if (value == null) return null;
        if (set.versions().containsKey(value)) return value;
        String prefixed = "v" + value;
        return set.versions().containsKey(prefixed) ? prefixed : null;
    }

    /**
     * The version the request is served as under a non-path scheme: the one it names, or the set's default when it
     * names none; null when it names one the set does not know, or names none and the set has no default.
     */
    public static String selected(VersionSetConfig set, HttpHeaders headers, String rawQuery) {
        String value = requested(set, headers, rawQuery);
        return value == null ? set.defaultVersion() : resolve(set, value);
    }

    /**
     * The {@code parameter} of the first media range in {@code accept} whose type is the set's media type
     * ({@code application/vnd.acme+json; version=2} gives {@code 2}); types compare without case, as RFC 9110 says.
     */
    static String mediaTypeParameter(List<String> accept, VersionSetConfig set) {
        for (String header : accept) {
            for (String range : header.split(",")) {
                String[] parts = range.split(";");
                if (!parts[0].trim().equalsIgnoreCase(set.mediaType())) continue;
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i];
                    int eq = p.indexOf('=');
                    if (eq < 0 || !p.substring(0, eq).trim().equalsIgnoreCase(set.parameter())) continue;
                    String v = p.substring(eq + 1).trim();
                    if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') v = v.substring(1, v.length() - 1);
                    return nonEmpty(v);
                }
            }
        }
        return null;
    }

    private static String nonEmpty(String s) {
        if (s == null) return null;
        s = s.trim();
        return s.isEmpty() ? null : s;
    }

    /** Whether the set's scheme is read from the request (every scheme but {@code path}). */
    static boolean fromRequest(VersionSetConfig set) {
        return set.scheme() != Scheme.PATH;
    }
}
