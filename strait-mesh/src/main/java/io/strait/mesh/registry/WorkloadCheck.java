package io.strait.mesh.registry;

import io.strait.mesh.identity.SpiffeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a registered workload must look like, each problem named by its field ({@code workload.address:
 * ...}), as every Strait input is:
 * <ul>
 * <li>{@code instanceId}: 1 to {@value #MAX_INSTANCE_ID} of letters, digits, {@code .}, {@code -},
 * {@code _}, starting with a letter or digit (a UUID, or {@code <pod>-<pid>});
 * <li>{@code service}: a DNS label (RFC 1123: lowercase letters, digits and {@code -}, at most 63), as
 * a Kubernetes service name, since apps call it by that name;
 * <li>{@code namespace}, {@code account}: SPIFFE ID segments (they must match the caller's SVID anyway);
 * <li>{@code address}: {@code host:port} with a DNS name, an IPv4 address or a bracketed IPv6 address,
 * never an unspecified one ({@code 0.0.0.0}, {@code [::]}: a peer cannot dial it), port 1 to 65535;
 * <li>{@code zone}: empty or a Kubernetes label value;
 * <li>{@code labels}: Kubernetes label rules (key: an optional DNS-subdomain prefix and {@code /}, then a
 * name of at most 63 alphanumerics, {@code -}, {@code _}, {@code .}, alphanumeric at both ends; value:
 * empty or the same shape), at most {@value #MAX_LABELS}.
 * </ul>
 * Nothing here resolves a name: DNS stays off the request path.
 */
public final class WorkloadCheck {
    /** Room for a UUID or a pod name with a suffix; also bounds the store key. */
    public static final int MAX_INSTANCE_ID = 128;
    /** Kubernetes sets no count limit; 64 labels is far past real use and bounds what one sidecar can make the registry hold. */
    public static final int MAX_LABELS = 64;
    /** Kubernetes' limit for a label name and value (a DNS label's length). */
    public static final int MAX_LABEL_PART = 63;
    /** Kubernetes' limit for a label key's prefix (a DNS subdomain's length). */
    public static final int MAX_LABEL_PREFIX = 253;
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*\\.?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final int MAX_HOST = 253;

    private WorkloadCheck() {}

    /** Every problem of {@code w}, each prefixed by its field path; empty when it is sound. */
    public static List<String> problems(Workload w) {
        List<String> out = new ArrayList<>();
        add(out, "workload.instanceId", checkInstanceId(w.instanceId()));
        add(out, "workload.service", checkService(w.service()));
        add(out, "workload.namespace", SpiffeId.checkSegment("namespace", w.namespace()));
        add(out, "workload.serviceAccount", SpiffeId.checkSegment("account", w.account()));
        add(out, "workload.address", checkAddress(w.address()));
        if (!w.zone().isEmpty()) add(out, "workload.zone", checkLabelValue(w.zone()));
        if (w.labels().size() > MAX_LABELS) out.add("workload.labels: at most " + MAX_LABELS + " labels (was " + w.labels().size() + ")");
        for (Map.Entry<String, String> l : w.labels().entrySet()) {
            String key = printable(l.getKey());
            add(out, "workload.labels[" + key + "]", checkLabelKey(l.getKey()));
            add(out, "workload.labels[" + key + "]", checkLabelValue(l.getValue()));
        }
        return out;
    }

    private static void add(List<String> out, String path, String problem) {
        if (problem != null) out.add(path + ": " + problem);
    }

    /** Null when {@code id} is a valid instance id, else why not. */
    public static String checkInstanceId(String id) {
        if (id == null || id.isEmpty()) return "must not be empty";
        if (id.length() > MAX_INSTANCE_ID) return "at most " + MAX_INSTANCE_ID + " characters (was " + id.length() + ")";
        if (!INSTANCE_ID.matcher(id).matches()) return "letters, digits, '.', '-' and '_', starting with a letter or digit (was '" + printable(id) + "')";
        return null;
    }

    public static String checkService(String s) {
        if (s == null || s.isEmpty()) return "must not be empty";
        if (s.length() > MAX_LABEL_PART || !DNS_LABEL.matcher(s).matches()) {
            return "must be a DNS label: lowercase letters, digits and '-', at most " + MAX_LABEL_PART + ", starting and ending with a letter or digit (was '" + printable(s) + "')";
        }
        return null;
    }

    /** Null when {@code a} is a dialable {@code host:port}, else why not. */
    public static String checkAddress(String a) {
        if (a == null || a.isEmpty()) return "must not be empty (host:port of the sidecar's inbound listener)";
        int colon = a.lastIndexOf(':');
        if (colon <= 0) return "must be host:port (was '" + printable(a) + "')";
        String host = a.substring(0, colon);
        String port = a.substring(colon + 1);
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return "the port must be a number from 1 to 65535 (was '" + printable(port) + "')";
        }
        if (host.startsWith("[") && host.endsWith("]")) return checkIpv6(host.substring(1, host.length() - 1), a);
        if (host.indexOf(':') >= 0) return "an IPv6 address is written in brackets, [::1]:8443 (was '" + printable(a) + "')";
        var v4 = IPV4.matcher(host);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) if (Integer.parseInt(v4.group(i)) > 255) return "'" + host + "' is not an IPv4 address";
            if (host.equals("0.0.0.0")) return "0.0.0.0 is not an address a peer can dial (give the workload's own address)";
            return null;
        }
        if (host.length() > MAX_HOST || !HOST_NAME.matcher(host).matches() || host.replace(".", "").chars().allMatch(Character::isDigit)) {
            return "the host must be a DNS name, an IPv4 address or a bracketed IPv6 address (was '" + printable(host) + "')";
        }
        for (String label : host.split("\\.")) if (label.length() > MAX_LABEL_PART) return "the host's label '" + label + "' is longer than 63 characters";
        return null;
    }

    private static String checkIpv6(String literal, String whole) {
        if (!IPV6.matcher(literal).matches() || literal.indexOf(':') < 0) return "'" + printable(whole) + "' does not hold an IPv6 address";
        try {
            // a literal with ':' is parsed, never looked up
            var addr = java.net.InetAddress.getByName(literal);
            if (addr.isAnyLocalAddress()) return "[::] is not an address a peer can dial (give the workload's own address)";
        } catch (java.net.UnknownHostException e) {
            return "'" + printable(whole) + "' does not hold an IPv6 address";
        }
        return null;
    }

    /** Kubernetes label key rules; null when valid. */
    public static String checkLabelKey(String key) {
        if (key == null || key.isEmpty()) return "a label key must not be empty";
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > MAX_LABEL_PREFIX || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return "the key's prefix must be a lowercase DNS subdomain of at most " + MAX_LABEL_PREFIX + " characters (was '" + printable(prefix) + "')";
            }
        }
        if (name.isEmpty() || name.length() > MAX_LABEL_PART || !LABEL_NAME.matcher(name).matches()) {
            return "the key's name must be 1 to " + MAX_LABEL_PART + " letters, digits, '-', '_' or '.', starting and ending with a letter or digit (was '" + printable(name) + "')";
        }
        return null;
    }

    /** Kubernetes label value rules (empty allowed); null when valid. */
    public static String checkLabelValue(String value) {
        if (value == null || value.isEmpty()) return null;
        if (value.length() > MAX_LABEL_PART || !LABEL_NAME.matcher(value).matches()) {
            return "the value must be at most " + MAX_LABEL_PART + " letters, digits, '-', '_' or '.', starting and ending with a letter or digit (was '" + printable(value) + "')";
        }
        return null;
    }

    static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder b = new StringBuilder();
        for (char c : cut.toCharArray()) b.append(c < ' ' || c == 0x7f ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        return b.toString();
    }
}
