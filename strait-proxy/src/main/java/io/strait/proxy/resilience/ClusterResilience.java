package io.strait.proxy.resilience;

import io.strait.config.model.RetryPolicy;
import io.strait.proxy.cluster.Endpoint;

/** STUB (replaced by the resilience branch). */
public final class ClusterResilience implements AutoCloseable {
    public enum Admission { OK, MAX_REQUESTS, BREAKER_OPEN }

    public Admission tryRequest() { return Admission.OK; }
    public void requestDone() {}
    public Admission tryAttempt() { return Admission.OK; }
    public void attemptDone(Endpoint e, AttemptResult r) {}
    public boolean tryRetry(RetryPolicy p) { return true; }
    public void retryDone() {}
    @Override public void close() {}
}
