package io.strait.mesh.meshconfig;

import io.strait.config.load.Node;
import io.strait.mesh.authz.PolicyReader;
import java.util.List;
import java.util.Set;

/**
 * The Kubernetes-style head every mesh document has: {@code apiVersion}, {@code kind}, {@code metadata} ({@code name}
 * required, {@code namespace} defaulting to {@value PolicyReader#DEFAULT_NAMESPACE} as {@code kubectl apply} does, and
 * the bookkeeping an exported object carries), and {@code status}, which is ignored.
 */
record DocumentHeader(String name, String namespace) {
    /** Kubernetes bookkeeping an exported object carries; none of it changes what the document means. */
    private static final List<String> METADATA_BOOKKEEPING = List.of("labels", "annotations", "uid", "resourceVersion",
            "generation", "creationTimestamp", "managedFields");

    /** Reads the head of {@code doc}; an apiVersion outside {@code apiVersions} is an error. Null when broken. */
    static DocumentHeader read(Node doc, Set<String> apiVersions) {
        int before = doc.errors().size();
        String api = doc.requiredString("apiVersion");
        if (api != null && !apiVersions.contains(api)) {
            doc.error("apiVersion", "must be " + String.join(" or ", apiVersions.stream().sorted().toList())
                    + " for kind " + doc.string("kind", "") + ", not " + api);
        }
        doc.skip("kind"); // the caller dispatched on it
        doc.skip("status");
        String name = null;
        String namespace = PolicyReader.DEFAULT_NAMESPACE;
        if (!doc.has("metadata")) {
            doc.skip("metadata");
            doc.error("metadata", "is required (with at least a name)");
        } else {
            Node meta = doc.object("metadata");
            if (meta != null) {
                name = meta.requiredString("name");
                namespace = meta.string("namespace", PolicyReader.DEFAULT_NAMESPACE);
                METADATA_BOOKKEEPING.forEach(meta::skip);
                meta.finish();
            }
        }
        return doc.errors().size() == before ? new DocumentHeader(name, namespace) : null;
    }
}
