package io.strait.proxy.tls;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Certificate sources set by code for named listeners and clusters (the control plane's pushed
 * certificates), taking the place of the files their {@code tls} sections name. A source is bound
 * when the listener or cluster is built (at start, or at a reload for a cluster); from then on every
 * change of the source is taken up at once. A cluster still needs its {@code tls} section (TLS on,
 * SNI, names to verify); its source's chain is the client certificate and its trust bundle the CAs
 * (empty: the system's). A listener's source gives its default certificate (and, with client
 * certificates asked for, the CAs they must lead to).
 */
public final class CertificateSources {
    private final ConcurrentHashMap<String, CertificateSource> sources = new ConcurrentHashMap<>();

    /** Sets the source of the cluster named {@code cluster}; returns this. */
    public CertificateSources cluster(String cluster, CertificateSource source) {
        sources.put("clusters." + cluster, source);
        return this;
    }

    /** Drops the source set for the cluster named {@code cluster}: from its next build on, it uses its files again; returns this. */
    public CertificateSources removeCluster(String cluster) {
        sources.remove("clusters." + cluster);
        return this;
    }

    /** Sets the source of the listener named {@code listener}; returns this. */
    public CertificateSources listener(String listener, CertificateSource source) {
        sources.put("listeners." + listener, source);
        return this;
    }

    /** The cluster's source set by code, or null: its files. */
    public CertificateSource forCluster(String cluster) {
        return sources.get("clusters." + cluster);
    }

    /** The listener's source set by code, or null: its files. */
    public CertificateSource forListener(String listener) {
        return sources.get("listeners." + listener);
    }
}
