package io.strait.mesh.authz;

/**
 * The caller as authorization sees it: its principal as Istio writes it ({@code cluster.local/ns/default/sa/checkout},
 * a SPIFFE ID without {@code spiffe://}) and the namespace in it; both null for a plaintext caller.
 */
public record Peer(String principal, String namespace) {
    private static final String SPIFFE_SCHEME = "spiffe://";
    private static final String NS_SEGMENT = "/ns/";

    /** A plaintext caller: no principal, no namespace. */
    public static final Peer PLAINTEXT = new Peer(null, null);

    /**
     * The peer of {@code id}, a SPIFFE ID ({@code spiffe://td/ns/N/sa/A}) or an Istio principal ({@code td/ns/N/sa/A});
     * null or blank is {@link #PLAINTEXT}. The namespace is the segment after {@code /ns/}, or null when there is none.
     */
    public static Peer of(String id) {
        if (id == null || id.isBlank()) return PLAINTEXT;
        String principal = principalOf(id);
        return new Peer(principal, namespaceOf(principal));
    }

    static String principalOf(String id) {
        return id.regionMatches(true, 0, SPIFFE_SCHEME, 0, SPIFFE_SCHEME.length())
                ? id.substring(SPIFFE_SCHEME.length()) : id;
    }

    private static String namespaceOf(String principal) {
        int at = principal.indexOf(NS_SEGMENT);
        if (at < 0) return null;
        int start = at + NS_SEGMENT.length();
        int end = principal.indexOf('/', start);
        String ns = end < 0 ? principal.substring(start) : principal.substring(start, end);
        return ns.isEmpty() ? null : ns;
    }
}
