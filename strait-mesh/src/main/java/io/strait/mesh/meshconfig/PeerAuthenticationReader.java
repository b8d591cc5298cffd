package io.strait.mesh.meshconfig;

import io.strait.config.load.Node;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads an Istio {@code PeerAuthentication} document ({@code security.istio.io/v1} or {@code v1beta1}): {@code
 * selector.matchLabels}, {@code mtls.mode} and {@code portLevelMtls}, with Istio's validation rules (ports 1-65535,
 * port modes only with a selector, at least one port when the map is given). Unknown fields are errors.
 */
final class PeerAuthenticationReader {
    static final Set<String> API_VERSIONS = Set.of("security.istio.io/v1", "security.istio.io/v1beta1");
    private static final int MAX_PORT = 65_535;

    private PeerAuthenticationReader() {}

    /** The policy of {@code doc} (a cursor at the document's root), or null when it has errors (reported). */
    static PeerAuthentication read(Node doc, String source) {
        int before = doc.errors().size();
        DocumentHeader head = DocumentHeader.read(doc, API_VERSIONS);
        Map<String, String> selector = Map.of();
        MtlsMode mode = MtlsMode.UNSET;
        Map<Integer, MtlsMode> ports = new LinkedHashMap<>();
        Node spec = doc.object("spec"); // optional: a policy without spec inherits everything (UNSET)
        if (spec != null) {
            Node sel = spec.object("selector");
            if (sel != null) {
                selector = sel.stringMap("matchLabels");
                sel.finish();
            }
            mode = mode(spec.object("mtls"));
            if (spec.has("portLevelMtls")) {
                Node pl = spec.object("portLevelMtls");
                if (pl != null) ports(pl, ports);
                if (selector.isEmpty()) {
                    spec.error("portLevelMtls", "only applies with a selector: Istio refuses port modes in a mesh- or"
                            + " namespace-wide policy");
                }
            } else {
                spec.skip("portLevelMtls");
            }
            spec.finish();
        }
        doc.finish();
        if (doc.errors().size() != before) return null;
        return new PeerAuthentication(source, head.namespace(), head.name(), selector, mode, ports);
    }

    private static void ports(Node pl, Map<Integer, MtlsMode> out) {
        if (pl.fieldNames().isEmpty()) pl.errors().add(pl.path(), "must list at least one port, such as {8080: {mode: DISABLE}}");
        for (String key : pl.fieldNames()) {
            int port = -1;
            try {
                port = Integer.parseInt(key.strip());
            } catch (NumberFormatException e) {
                // reported below
            }
            Node m = pl.object(key);
            MtlsMode mode = mode(m);
            if (port < 1 || port > MAX_PORT) {
                pl.error(key, "must be a port 1-" + MAX_PORT + " (the workload's port, not the service's)");
            } else if (m != null) {
                out.put(port, mode);
            } else if (!pl.has(key)) {
                pl.error(key, "must be {mode: STRICT|PERMISSIVE|DISABLE|UNSET}");
            }
        }
        pl.finish();
    }

    /** {@code {mode: ...}}; absent is UNSET, as in Istio. */
    private static MtlsMode mode(Node m) {
        if (m == null) return MtlsMode.UNSET;
        String s = m.string("mode", null);
        m.finish();
        if (s == null) return MtlsMode.UNSET;
        try {
            return MtlsMode.valueOf(s);
        } catch (IllegalArgumentException e) {
            String upper = s.toUpperCase(Locale.ROOT);
            boolean caseOnly = upper.matches("UNSET|DISABLE|PERMISSIVE|STRICT");
            m.error("mode", "must be STRICT, PERMISSIVE, DISABLE or UNSET, not '" + s + "'"
                    + (caseOnly ? " (modes are upper case: " + upper + ")" : ""));
            return MtlsMode.UNSET;
        }
    }
}
