package io.strait.mesh.identity;

import java.net.URI;
import java.util.Locale;

/**
 * A workload identity of the mesh, {@code spiffe://<trust-domain>/ns/<namespace>/sa/<account>}, validated
 * against the SPIFFE ID specification: the trust domain is lowercase letters, digits, {@code .}, {@code -}
 * and {@code _} (at most {@value #MAX_TRUST_DOMAIN} characters, no port, user info, query or fragment);
 * each path segment is letters, digits, {@code .}, {@code -} and {@code _}, never empty, {@code .} or
 * {@code ..}; the whole ID is at most {@value #MAX_LENGTH} bytes. Strait's IDs always have the Istio shape
 * {@code /ns/N/sa/A}, so that policies can name {@code cluster.local/ns/default/sa/checkout}.
 */
public record SpiffeId(String trustDomain, String namespace, String account) {
    /** The URI scheme of every SPIFFE ID. */
    public static final String SCHEME = "spiffe";
    /** The SPIFFE ID spec limits a trust domain name to 255 characters (a DNS name's limit). */
    public static final int MAX_TRUST_DOMAIN = 255;
    /** The SPIFFE ID spec limits the whole URI to 2048 bytes. */
    public static final int MAX_LENGTH = 2048;

    public SpiffeId {
        String bad = checkTrustDomain(trustDomain);
        if (bad == null) bad = checkSegment("namespace", namespace);
        if (bad == null) bad = checkSegment("account", account);
        if (bad != null) throw new IllegalArgumentException(bad);
        if (uriLength(trustDomain, namespace, account) > MAX_LENGTH) {
            throw new IllegalArgumentException("a SPIFFE ID is at most " + MAX_LENGTH + " bytes long");
        }
    }

    private static int uriLength(String td, String ns, String sa) {
        return "spiffe://".length() + td.length() + "/ns/".length() + ns.length() + "/sa/".length() + sa.length();
    }

    /** Parses {@code spiffe://td/ns/N/sa/A}; anything else is an {@link IllegalArgumentException} saying what is wrong. */
    public static SpiffeId parse(String uri) {
        if (uri == null || uri.isEmpty()) throw new IllegalArgumentException("a SPIFFE ID must not be empty");
        if (uri.length() > MAX_LENGTH) throw new IllegalArgumentException("a SPIFFE ID is at most " + MAX_LENGTH + " bytes long");
        String prefix = SCHEME + "://";
        if (!uri.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new IllegalArgumentException("a SPIFFE ID starts with spiffe:// (was '" + printable(uri) + "')");
        }
        if (!uri.startsWith(prefix)) throw new IllegalArgumentException("the scheme of a SPIFFE ID is lowercase spiffe://");
        String rest = uri.substring(prefix.length());
        int slash = rest.indexOf('/');
        String td = slash < 0 ? rest : rest.substring(0, slash);
        String bad = checkTrustDomain(td);
        if (bad != null) throw new IllegalArgumentException(bad);
        if (slash < 0) throw new IllegalArgumentException("the SPIFFE ID '" + printable(uri) + "' names no workload; expected spiffe://" + td + "/ns/<namespace>/sa/<account>");
        String[] segments = rest.substring(slash + 1).split("/", -1);
        for (String s : segments) {
            String badSegment = checkSegment("path segment", s);
            if (badSegment != null) throw new IllegalArgumentException(badSegment + " in '" + printable(uri) + "'");
        }
        if (segments.length != 4 || !segments[0].equals("ns") || !segments[2].equals("sa")) {
            throw new IllegalArgumentException("a mesh SPIFFE ID has the path /ns/<namespace>/sa/<account> (was '" + printable(uri) + "')");
        }
        return new SpiffeId(td, segments[1], segments[3]);
    }

    /** Null when the trust domain name is valid, else why not. */
    public static String checkTrustDomain(String td) {
        if (td == null || td.isEmpty()) return "the trust domain must not be empty";
        if (td.length() > MAX_TRUST_DOMAIN) return "the trust domain is at most " + MAX_TRUST_DOMAIN + " characters";
        for (int i = 0; i < td.length(); i++) {
            char c = td.charAt(i);
            if (c == ':') return "the trust domain '" + printable(td) + "' must not hold a port";
            if (c == '@') return "the trust domain '" + printable(td) + "' must not hold user info";
            if (c >= 'A' && c <= 'Z') return "the trust domain '" + printable(td) + "' must be lowercase";
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
                return "the trust domain '" + printable(td) + "' may hold only a-z, 0-9, '.', '-' and '_'";
            }
        }
        return null;
    }

    /** Null when {@code s} is a valid SPIFFE path segment, else why not ({@code what} names it in the message). */
    public static String checkSegment(String what, String s) {
        if (s == null || s.isEmpty()) return "the " + what + " must not be empty";
        if (s.equals(".") || s.equals("..")) return "the " + what + " must not be '.' or '..'";
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
                return "the " + what + " '" + printable(s) + "' may hold only letters, digits, '.', '-' and '_'";
            }
        }
        return null;
    }

    /** The ID as a URI string, {@code spiffe://td/ns/N/sa/A}. */
    public String uri() {
        return SCHEME + "://" + trustDomain + "/ns/" + namespace + "/sa/" + account;
    }

    public URI toUri() {
        return URI.create(uri());
    }

    /** The principal as Istio's policies write it: {@code td/ns/N/sa/A}. */
    public String principal() {
        return trustDomain + "/ns/" + namespace + "/sa/" + account;
    }

    @Override
    public String toString() {
        return uri();
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder b = new StringBuilder();
        for (char c : cut.toCharArray()) b.append(c < ' ' || c == 0x7f ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        return b.toString();
    }
}
