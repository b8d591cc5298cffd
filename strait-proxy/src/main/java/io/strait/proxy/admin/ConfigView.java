package io.strait.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.config.load.Names;
import io.strait.config.model.ConfigReferences;
import io.strait.config.model.HostPort;
import io.strait.config.model.StraitConfig;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The effective configuration as JSON for {@code GET /config}, with secrets redacted: any field
 * whose name says secret, password, token, credential or private key, and passwords inside URIs
 * ({@code redis://:pw@host} becomes {@code redis://:***@host}).
 */
final class ConfigView {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(secret|password|passwd|token|credential|privatekey|apikey).*");
    private static final Pattern URI_USERINFO = Pattern.compile("^([a-z][a-z0-9+.-]*://)([^@/]*)@", Pattern.CASE_INSENSITIVE);
    static final String REDACTED = "***";

    private ConfigView() {}

    static String toJson(Object config) {
        return write(node(config, "", config instanceof StraitConfig c ? c.references() : ConfigReferences.NONE));
    }

    static String reloadJson(boolean applied, List<String> messages, long generation) {
        ObjectNode o = F.objectNode();
        o.put("status", applied ? "reloaded" : "rejected");
        o.put("generation", generation);
        ArrayNode a = o.putArray(applied ? "warnings" : "errors");
        messages.forEach(a::add);
        return write(o);
    }

    static String write(JsonNode n) {
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode node(Object v, String name) {
        return node(v, name, ConfigReferences.NONE);
    }

    /** {@code v} as JSON; a string that came from {@code ${...}} references is shown as written, never resolved. */
    private static JsonNode node(Object v, String name, ConfigReferences refs) {
        if (v == null) return F.nullNode();
        // A secret-sounding name hides a value, not a section (auth.apiKeys is settings) nor a switch (forwardToken).
        boolean leaf = !(v instanceof Map<?, ?> || v instanceof Collection<?> || v.getClass().isRecord() || v instanceof Boolean);
        if (leaf && !name.isEmpty() && SECRET_NAME.matcher(name).matches()) return F.textNode(REDACTED);
        if (v instanceof String s) return F.textNode(redactUri(refs.written(s)));
        if (v instanceof java.net.URI u) return F.textNode(redactUri(refs.written(u.toString())));
        if (v instanceof Boolean b) return F.booleanNode(b);
        if (v instanceof Integer i) return F.numberNode(i);
        if (v instanceof Long l) return F.numberNode(l);
        if (v instanceof Double d) return F.numberNode(d);
        if (v instanceof Duration d) return F.textNode(format(d));
        if (v instanceof HostPort hp) return F.textNode(refs.written(hp.toString()));
        if (v instanceof io.strait.config.model.RateLimitPolicy.Descriptor d) return F.textNode(d.toString()); // as written: client, header:X-Team
        if (v instanceof io.strait.config.model.VersionSetConfig.Scheme s) return F.textNode(s.configName()); // mediaType
        if (v instanceof Enum<?> e) return F.textNode(Names.of(e));
        if (v instanceof io.strait.config.model.FilterSpec f) { // as written: {NAME: SETTINGS}, which loads again
            ObjectNode o = F.objectNode();
            o.set(f.name(), node(f.config(), f.name(), refs));
            return o;
        }
        if (v instanceof io.strait.config.model.RouteRateLimit r) return node(r.policies(), "", refs);
        if (v instanceof io.strait.config.model.VersionSetConfig s) return versionSet(s, refs);
        if (v instanceof io.strait.config.model.RouteVersion r) { // as written: {set, name}
            ObjectNode o = F.objectNode();
            o.put("set", r.set());
            o.put("name", r.version());
            return o;
        }
        if (v instanceof io.strait.config.model.ObservabilityConfig.Tracing t && !t.headers().isEmpty()) {
            // OTLP headers carry the collector's credentials (API keys under any name): names shown, values never
            ObjectNode o = (ObjectNode) node(new io.strait.config.model.ObservabilityConfig.Tracing(t.otlpEndpoint(), t.serviceName(),
                    t.sampleRatio(), Map.of(), t.recentTraces()), name);
            ObjectNode h = o.putObject("headers");
            ordered(t.headers()).forEach((k, val) -> h.put(String.valueOf(k), REDACTED));
            return o;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = F.objectNode();
            ordered(m).forEach((k, val) -> o.set(String.valueOf(k), node(val, String.valueOf(k), refs)));
            return o;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode a = F.arrayNode();
            (c instanceof Set<?> s && !(s instanceof SequencedSet<?>) ? sorted(s) : c).forEach(x -> a.add(node(x, "", refs)));
            return a;
        }
        if (v.getClass().isRecord()) {
            ObjectNode o = F.objectNode();
            for (RecordComponent rc : v.getClass().getRecordComponents()) {
                if (rc.getType() == ConfigReferences.class) continue; // not a setting: what the strings were written as
                try {
                    o.set(rc.getName(), node(rc.getAccessor().invoke(v), rc.getName(), refs));
                } catch (ReflectiveOperationException e) {
                    o.put(rc.getName(), "?");
                }
            }
            return o;
        }
        return F.textNode(String.valueOf(v));
    }

    /** A version set as the file writes it ({@code default}, versions without their own name, no empty fields). */
    private static JsonNode versionSet(io.strait.config.model.VersionSetConfig s, ConfigReferences refs) {
        ObjectNode o = F.objectNode();
        o.set("scheme", node(s.scheme(), "scheme"));
        if (s.header() != null) o.put("header", refs.written(s.header()));
        if (s.query() != null) o.put("query", refs.written(s.query()));
        if (s.mediaType() != null) o.put("mediaType", refs.written(s.mediaType()));
        if (s.parameter() != null) o.put("parameter", refs.written(s.parameter()));
        if (s.defaultVersion() != null) o.put("default", refs.written(s.defaultVersion()));
        ObjectNode versions = o.putObject("versions");
        if (s.versions() == null) return o;
        s.versions().forEach((name, v) -> {
            ObjectNode vo = versions.putObject(name);
            if (v == null) return;
            if (v.deprecated() != null) vo.put("deprecated", v.deprecated().toString());
            if (v.sunset() != null) vo.put("sunset", v.sunset().toString());
            if (v.successor() != null) vo.put("successor", refs.written(v.successor()));
            var l = v.links();
            if (l != null && (l.deprecation() != null || l.sunset() != null || l.successor() != null)) {
                ObjectNode lo = vo.putObject("links");
                if (l.deprecation() != null) lo.put("deprecation", redactUri(refs.written(l.deprecation())));
                if (l.sunset() != null) lo.put("sunset", redactUri(refs.written(l.sunset())));
                if (l.successor() != null) lo.put("successor", redactUri(refs.written(l.successor())));
            }
        });
        return o;
    }

    /**
     * Maps from {@code Map.of}/{@code Map.copyOf} (labels, subsets) iterate in an order that changes from one JVM
     * start to the next: they are shown sorted by key, so {@code /config} reads the same every time. Maps that keep
     * the file's order (clusters, policies) are shown in that order.
     */
    private static Map<?, ?> ordered(Map<?, ?> m) {
        if (!m.getClass().getName().startsWith("java.util.ImmutableCollections$Map")) return m;
        try {
            return new TreeMap<>(m);
        } catch (ClassCastException e) { // keys that do not compare with each other: shown as they come
            return m;
        }
    }

    /** Sets (methods, retryOn, statusCodes) in their natural order (enums in declaration order), for the same reason. */
    private static Collection<?> sorted(Set<?> s) {
        List<Object> out = new ArrayList<>(s);
        try {
            out.sort(null);
            return out;
        } catch (ClassCastException e) { // elements that do not compare with each other: shown as they come
            return s;
        }
    }

    static String redactUri(String s) {
        var m = URI_USERINFO.matcher(s);
        if (!m.find()) return s;
        String userinfo = m.group(2);
        int colon = userinfo.indexOf(':');
        String kept = colon < 0 ? REDACTED : userinfo.substring(0, colon) + ":" + REDACTED;
        return m.group(1) + kept + "@" + s.substring(m.end());
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0";
        if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
