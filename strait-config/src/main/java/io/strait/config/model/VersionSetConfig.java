package io.strait.config.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One API's versions run side by side (section {@code versionSets}, as Azure API Management's version sets):
 * how a request names its version, which version a request that names none gets, and each version's
 * deprecation and sunset. Routes join a set with {@code version: {set: NAME, name: VERSION}} ({@link RouteVersion}).
 *
 * @param name the set's name (its key under {@code versionSets})
 * @param scheme where a request names its version
 * @param header the header of the {@code header} scheme ({@value #DEFAULT_HEADER}); null for other schemes
 * @param query the query parameter of the {@code query} scheme ({@value #DEFAULT_QUERY}); null for other schemes
 * @param mediaType the {@code Accept} media type of the {@code mediaType} scheme, such as
 *     {@code application/vnd.acme+json}; null for other schemes
 * @param parameter the media type's parameter naming the version ({@value #DEFAULT_PARAMETER}); null for other schemes
 * @param defaultVersion the version a request that names none is served as; null: such a request is refused (400)
 * @param versions every version by name, in file order
 */
public record VersionSetConfig(String name, Scheme scheme, String header, String query, String mediaType,
        String parameter, String defaultVersion, Map<String, ApiVersion> versions) {
    /** The header of the {@code header} scheme when the set names none: Azure API Management's and Tyk's usual name. */
    public static final String DEFAULT_HEADER = "X-API-Version";
    /** The query parameter of the {@code query} scheme when the set names none (Tyk's default is {@code version} too). */
    public static final String DEFAULT_QUERY = "version";
    /** The media-type parameter of the {@code mediaType} scheme ({@code application/vnd.acme+json; version=2}). */
    public static final String DEFAULT_PARAMETER = "version";

    /** Where a request names its version. */
    public enum Scheme {
        /** A path segment ({@code /api/v1/users}): each route's path carries its version. */
        PATH("path"),
        /** A request header ({@code X-API-Version: v2}). */
        HEADER("header"),
        /** A query parameter ({@code ?version=v2}). */
        QUERY("query"),
        /** A parameter of the {@code Accept} media type ({@code application/vnd.acme+json; version=2}). */
        MEDIA_TYPE("mediaType");

        private final String configName;

        Scheme(String configName) {
            this.configName = configName;
        }

        /** How the file writes it. */
        public String configName() {
            return configName;
        }

        /** The scheme written {@code s}, or null. */
        public static Scheme parse(String s) {
            for (Scheme x : values()) {
                if (x.configName.equals(s)) return x;
            }
            return null;
        }

        /** Every name, as the file writes them. */
        public static List<String> names() {
            return java.util.Arrays.stream(values()).map(Scheme::configName).toList();
        }
    }

    public VersionSetConfig {
        versions = versions == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(versions));
    }

    /** The version named {@code name}, or null. */
    public ApiVersion version(String name) {
        return versions == null || name == null ? null : versions.get(name);
    }

    /**
     * One version of the set.
     *
     * @param name its name ({@code v1}), as routes and requests name it
     * @param deprecated when it is (or will be) deprecated, or null: responses carry {@code Deprecation} (RFC 9745)
     * @param sunset when it stops answering (410 from then on), or null: responses carry {@code Sunset} (RFC 8594)
     * @param successor the version that replaces it, or null: responses link to it ({@code rel="successor-version"})
     * @param links documentation links, or {@link Links#NONE}
     */
    public record ApiVersion(String name, Instant deprecated, Instant sunset, String successor, Links links) {
        /** Whether responses of this version carry deprecation or sunset headers at all. */
        public boolean announced() {
            return deprecated != null || sunset != null;
        }
    }

    /**
     * Links sent with a deprecated version's responses (RFC 8288 {@code Link}).
     *
     * @param deprecation {@code rel="deprecation"}: where the deprecation is explained (RFC 9745); may be null
     * @param sunset {@code rel="sunset"}: where the sunset policy is explained (RFC 8594); may be null
     * @param successor {@code rel="successor-version"}: overrides the link Strait derives; may be null
     */
    public record Links(String deprecation, String sunset, String successor) {
        public static final Links NONE = new Links(null, null, null);
    }
}
