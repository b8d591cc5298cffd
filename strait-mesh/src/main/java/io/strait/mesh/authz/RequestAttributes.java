package io.strait.mesh.authz;

/** What a rule looks at in a request: the caller, the method, the normalized path and the headers. */
public interface RequestAttributes {
    Peer peer();

    String method();

    /** The normalized path (no query). */
    String path();

    /** The header's value (several joined with {@code ,}), or null when absent; {@code name} is lower case. */
    String header(String name);
}
