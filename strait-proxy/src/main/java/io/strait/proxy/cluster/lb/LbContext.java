package io.strait.proxy.cluster.lb;

import io.netty.handler.codec.http.HttpHeaders;

/** What a load balancer may look at in a request: its headers (cookies included) and the client's address. */
public interface LbContext {
    HttpHeaders requestHeaders();

    /** The downstream client's IP address as text. */
    String sourceIp();

    /** A request's view for the balancer, made once per request. */
    static LbContext of(HttpHeaders requestHeaders, String sourceIp) {
        return new Simple(requestHeaders, sourceIp);
    }

    /** The value implementation behind {@link #of}. */
    record Simple(HttpHeaders requestHeaders, String sourceIp) implements LbContext {}
}
