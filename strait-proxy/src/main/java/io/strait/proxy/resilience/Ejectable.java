package io.strait.proxy.resilience;

/**
 * What resilience needs of an endpoint: its id, whether outlier detection took it out of load
 * balancing, and where its outlier state lives. The cluster's endpoints implement it, so this tier
 * knows nothing of clusters (linkerd's tiers: route, then cluster, then endpoint).
 */
public interface Ejectable {
    String id();

    boolean ejected();

    void ejected(boolean ejected);

    /** The endpoint's outlier-detection state, or null before its first result. */
    OutlierState outlierState();

    void outlierState(OutlierState state);
}
