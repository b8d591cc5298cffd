package io.strait.proxy.endpoint;

import io.strait.proxy.resilience.ClusterResilience;

/** A request waiting for a connection, with the cluster resilience it is counted in as pending. */
record Waiter(PoolCallback callback, ClusterResilience gate) {
    /** Leaves the wait queue: no longer pending. */
    PoolCallback leave() {
        gate.pendingDone();
        return callback;
    }
}
