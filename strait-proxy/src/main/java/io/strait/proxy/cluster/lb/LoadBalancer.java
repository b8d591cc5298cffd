package io.strait.proxy.cluster.lb;

import io.strait.proxy.cluster.Endpoint;
import java.util.List;

/**
 * Picks the endpoint for one request. Implementations are called from every event loop at once:
 * they must be thread-safe and must not block or allocate much.
 */
public interface LoadBalancer {
    /**
     * @param endpoints every endpoint of the cluster, healthy or not (an immutable list, replaced
     *     when endpoints change)
     * @return the chosen healthy endpoint, or null when there is none
     */
    Endpoint select(List<Endpoint> endpoints, LbContext ctx);

    /** Called when the endpoint list changes (DNS refresh, reload), so precomputed state can be rebuilt. */
    default void endpointsChanged(List<Endpoint> endpoints) {}
}
