package io.strait.gateway.versioning;

import io.strait.config.model.VersionSetConfig.ApiVersion;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The exact forms of the deprecation headers:
 * <ul>
 *   <li>{@code Deprecation: @1767225600}: RFC 9745, a Structured Field Date (RFC 9651), epoch seconds after {@code @};</li>
 *   <li>{@code Sunset: Sat, 04 Dec 2027 00:00:00 GMT}: RFC 8594, an HTTP-date in the IMF-fixdate form (RFC 9110 5.6.7);</li>
 *   <li>{@code Link: <URI>; rel="deprecation"}: RFC 8288 link values, several joined by {@code ", "} in one header.</li>
 * </ul>
 */
public final class DeprecationHeaders {
    /** RFC 9110's IMF-fixdate: two-digit day, English names, always GMT. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private DeprecationHeaders() {}

    /** The {@code Deprecation} value of {@code at}: {@code @} and its epoch seconds. */
    public static String deprecation(Instant at) {
        return "@" + at.getEpochSecond();
    }

    /** The {@code Sunset} value of {@code at}, an IMF-fixdate (sub-second parts dropped). */
    public static String sunset(Instant at) {
        return IMF_FIXDATE.format(at);
    }

    /** One link value: {@code <uri>; rel="rel"}. */
    public static String link(String uri, String rel) {
        return "<" + uri + ">; rel=\"" + rel + "\"";
    }

    /**
     * The {@code Link} value of {@code v}: its successor (at {@code successorUri}, or none when null), then its
     * deprecation and sunset documentation links; null when there is none of them.
     */
    static String links(ApiVersion v, String successorUri) {
        StringBuilder b = new StringBuilder();
        if (successorUri != null) append(b, link(successorUri, "successor-version"));
        if (v.links() != null && v.links().deprecation() != null) append(b, link(v.links().deprecation(), "deprecation"));
        if (v.links() != null && v.links().sunset() != null) append(b, link(v.links().sunset(), "sunset"));
        return b.isEmpty() ? null : b.toString();
    }

    private static void append(StringBuilder b, String link) {
        if (!b.isEmpty()) b.append(", ");
        b.append(link);
    }
}
