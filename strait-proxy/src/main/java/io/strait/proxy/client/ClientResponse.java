package io.strait.proxy.client;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A whole response to a {@link ClientRequest}: any status (a 5xx is a response, not a failure), its
 * headers (hop-by-hop ones included, as the upstream sent them), and its body (empty when none).
 */
public record ClientResponse(int status, HttpHeaders headers, byte[] body) {}
