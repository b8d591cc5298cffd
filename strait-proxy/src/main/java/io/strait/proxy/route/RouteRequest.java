package io.strait.proxy.route;

import io.netty.handler.codec.http.HttpHeaders;

/** STUB until the router branch merges. */
public interface RouteRequest {
    String host();
    String method();
    String path();
    String query();
    HttpHeaders headers();
}
