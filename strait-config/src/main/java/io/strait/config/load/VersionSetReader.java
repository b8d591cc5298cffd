package io.strait.config.load;

import io.strait.config.model.RouteVersion;
import io.strait.config.model.VersionSetConfig;
import io.strait.config.model.VersionSetConfig.ApiVersion;
import io.strait.config.model.VersionSetConfig.Links;
import io.strait.config.model.VersionSetConfig.Scheme;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code versionSets} (how each API's requests name their version, and each version's deprecation and
 * sunset) and then each route's {@code version: {set, name}}. What is about the document (types, unknown fields,
 * dates) is checked here; the rules about the values ({@link VersionSetRules}) are the model validator's, applied
 * here too so one load reports every error.
 */
final class VersionSetReader {
    private Map<String, VersionSetConfig> sets = Map.of();
    /** Every name under {@code versionSets}, valid or not: a route naming a broken set gets no second error. */
    private final java.util.Set<String> declared = new java.util.HashSet<>();

    /** The section, empty when the file has none; sets with errors in their own fields are left out. */
    Map<String, VersionSetConfig> read(Node root) {
        if (!root.present("versionSets")) return sets;
        Map<String, VersionSetConfig> out = new LinkedHashMap<>();
        declared.addAll(root.keys("versionSets"));
        for (Map.Entry<String, Node> e : root.namedObjects("versionSets").entrySet()) {
            Node n = e.getValue();
            int before = n.errors().size();
            VersionSetConfig set = set(e.getKey(), n);
            n.finish();
            if (n.errors().size() == before && set != null) out.put(e.getKey(), set);
        }
        sets = Collections.unmodifiableMap(out);
        new VersionSetRules(new Check(root.errors())).sets(sets);
        return sets;
    }

    private static VersionSetConfig set(String name, Node n) {
        String s = n.requiredString("scheme");
        Scheme scheme = null;
        if (s != null) {
            scheme = Scheme.parse(s);
            if (scheme == null) {
                String hint = Names.closest(s, Scheme.names());
                n.error("scheme", "unknown scheme '" + s + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                        + "; expected one of " + String.join(", ", Scheme.names()));
            }
        }
        String header = own(n, "header", scheme, Scheme.HEADER, VersionSetConfig.DEFAULT_HEADER);
        String query = own(n, "query", scheme, Scheme.QUERY, VersionSetConfig.DEFAULT_QUERY);
        String mediaType = own(n, "mediaType", scheme, Scheme.MEDIA_TYPE, null);
        String parameter = own(n, "parameter", scheme, Scheme.MEDIA_TYPE, VersionSetConfig.DEFAULT_PARAMETER);
        if (scheme == Scheme.MEDIA_TYPE && mediaType == null) {
            n.error("mediaType", "is required with the mediaType scheme (such as application/vnd.acme+json)");
        }
        String dflt = n.string("default", null);
        Map<String, ApiVersion> versions = new LinkedHashMap<>();
        if (!n.has("versions")) {
            n.skip("versions");
            n.error("versions", "is required: declare each version, such as {v1: {}, v2: {}}");
        }
        for (Map.Entry<String, Node> e : n.namedObjects("versions").entrySet()) {
            Node v = e.getValue();
            Instant deprecated = date(v, "deprecated");
            Instant sunset = date(v, "sunset");
            String successor = v.string("successor", null);
            Links links = links(v.object("links"));
            v.finish();
            versions.put(e.getKey(), new ApiVersion(e.getKey(), deprecated, sunset, successor, links));
        }
        return scheme == null ? null : new VersionSetConfig(name, scheme, header, query, mediaType, parameter, dflt, versions);
    }

    /** A setting only {@code owner} uses: its value (or {@code dflt}) with that scheme, null and an error if set with another. */
    private static String own(Node n, String field, Scheme scheme, Scheme owner, String dflt) {
        String v = n.string(field, null);
        if (scheme == null) return null;
        if (scheme != owner) {
            if (v != null) n.error(field, "only the " + owner.configName() + " scheme uses " + field
                    + " (the scheme is " + scheme.configName() + ")");
            return null;
        }
        return v == null ? dflt : v;
    }

    /** An RFC 3339 date-time ({@code 2026-01-01T00:00:00Z}, or with an offset), or null. */
    static Instant date(Node n, String field) {
        String s = n.string(field, null);
        if (s == null) return null;
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            n.error(field, "must be an RFC 3339 date-time, such as 2026-01-01T00:00:00Z (was '" + s + "')");
            return null;
        }
    }

    private static Links links(Node n) {
        if (n == null) return Links.NONE;
        Links links = new Links(n.string("deprecation", null), n.string("sunset", null), n.string("successor", null));
        n.finish();
        return links;
    }

    /**
     * A route's {@code version: {set: NAME, name: VERSION}} (the short form, or an entry of its {@code filters:}),
     * or null after an error. {@code node} holds the field {@code field}.
     */
    RouteVersion route(Node node, String field) {
        Node v = node.object(field);
        if (v == null) {
            if (node.has(field)) return null; // not an object: already an error
            node.error(field, "write {set: NAME, name: VERSION}");
            return null;
        }
        String set = v.requiredString("set");
        String name = v.requiredString("name");
        v.finish();
        if (set == null || name == null) return null;
        if (!sets.containsKey(set) && declared.contains(set)) return null;
        RouteVersion rv = new RouteVersion(set, name, sets.get(set));
        int before = node.errors().size();
        new VersionSetRules(new Check(node.errors())).reference(v.path(), rv, sets);
        return node.errors().size() == before ? rv : null;
    }
}
