package io.strait.config.load;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.MeshConfig;
import java.util.regex.Pattern;

/**
 * The model validator's rules for the top-level {@code mesh} section and a cluster's {@code mesh}, with the paths and
 * words of {@link MeshReader} (which applies them to the values it read). The identity rules are SPIFFE's, as the
 * sidecar's reader words them: this module does not depend on the mesh's.
 */
final class MeshRules {
    /** A service's name is a DNS label, as a sidecar's {@code service} (Kubernetes' service names). */
    static final Pattern SERVICE = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** SPIFFE's limit on a trust domain name. */
    static final int MAX_TRUST_DOMAIN = 255;

    /** A cluster's {@code mesh} in a process without its own identity in the mesh. */
    static final String NEEDS_SECTION = "needs the top-level mesh section";

    private final Check check;

    MeshRules(Check check) {
        this.check = check;
    }

    /** The top-level section ({@code p} is {@code mesh}). */
    void section(String p, MeshConfig m) {
        if (check.required(p + ".controlPlane", m.controlPlane())) {
            MeshConfig.ControlPlane cp = m.controlPlane();
            String a = p + ".controlPlane";
            if (check.required(a + ".address", cp.address()) && cp.address().port() == 0) {
                check.error(a + ".address", "must be host:port, such as 127.0.0.1:15012 (was '" + cp.address() + "')");
            }
            if (check.required(a + ".trustDomain", cp.trustDomain())) trustDomain(a + ".trustDomain", cp.trustDomain());
            check.required(a + ".trustBundleFile", cp.trustBundleFile());
            // a joinTokenFile is read when the gateway joins (MeshGateway), not when a config is checked
            if (cp.joinToken() == null && cp.joinTokenFile() == null) {
                check.error(a + ".joinTokenFile", "is required (or joinToken): the join token the first SVID is issued against");
            } else if (cp.joinToken() != null && cp.joinToken().isBlank()) {
                check.error(a + ".joinToken", "must not be empty");
            }
        }
        segment(p + ".namespace", "namespace", m.namespace());
        segment(p + ".serviceAccount", "serviceAccount", m.serviceAccount());
    }

    /** A cluster's {@code mesh} ({@code p} is {@code clusters.NAME.mesh}); {@code section} is the top-level one, or null. */
    void cluster(String p, ClusterConfig.MeshService s, MeshConfig section) {
        if (section == null) check.error(p, NEEDS_SECTION);
        service(p, s);
    }

    /** The service's name and namespace. */
    void service(String p, ClusterConfig.MeshService s) {
        if (check.required(p + ".service", s.service()) && !SERVICE.matcher(s.service()).matches()) {
            check.error(p + ".service", "must be a DNS label: lowercase letters, digits and '-', at most 63 (was '" + s.service() + "')");
        }
        segment(p + ".namespace", "namespace", s.namespace());
    }

    private void trustDomain(String p, String td) {
        String bad = null;
        if (td.isEmpty()) bad = "the trust domain must not be empty";
        else if (td.length() > MAX_TRUST_DOMAIN) bad = "the trust domain is at most " + MAX_TRUST_DOMAIN + " characters";
        else if (!td.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
            bad = "the trust domain '" + td + "' may hold only a-z, 0-9, '.', '-' and '_' (no port, no upper case)";
        }
        if (bad != null) check.error(p, bad);
    }

    private void segment(String p, String what, String s) {
        if (!check.required(p, s)) return;
        if (s.isEmpty()) check.error(p, "the " + what + " must not be empty");
        else if (s.equals(".") || s.equals("..")) check.error(p, "the " + what + " must not be '.' or '..'");
        else if (!s.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
            check.error(p, "the " + what + " '" + s + "' may hold only letters, digits, '.', '-' and '_'");
        }
    }
}
