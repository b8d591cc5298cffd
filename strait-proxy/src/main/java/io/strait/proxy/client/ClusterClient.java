package io.strait.proxy.client;

import io.strait.proxy.filter.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How a filter calls a cluster of the running configuration (an aggregation's or a GraphQL resolver's
 * upstream calls): the cluster's balancer, connection pools, TLS, health and circuit breakers, as a
 * proxied request gets them. One attempt per call (no retries). The caller's request id, trace context
 * and the identity headers the gateway set go along. Never blocks; the stage completes on the caller's
 * event loop, and exceptionally with a {@link ClusterCallException} saying what went wrong.
 */
public interface ClusterClient {
    /** One request to a cluster of the running config: its balancer, pools, TLS, health and breakers; completes on the caller's event loop. */
    CompletionStage<ClientResponse> send(RequestContext caller, ClientRequest request);

    /** A client for filters built where no proxy runs (unit tests): every call fails with {@link ClusterCallException.Reason#UNAVAILABLE}. */
    ClusterClient NONE = (caller, request) -> CompletableFuture.failedFuture(new ClusterCallException(
            ClusterCallException.Reason.UNAVAILABLE, request.cluster(), "no cluster client here (not running in a proxy)"));
}
