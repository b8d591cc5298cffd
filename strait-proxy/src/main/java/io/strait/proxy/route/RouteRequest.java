package io.strait.proxy.route;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/** What the router looks at in a request. */
public interface RouteRequest {
    /** The host, lower case, port stripped; null or empty when the request has none. */
    String host();

    /** The upper-case method name, such as {@code GET}. */
    String method();

    /** The path as {@link PathNormalizer} returned it. */
    String path();

    /** The raw query string (without {@code ?}), or null. */
    String query();

    HttpHeaders headers();

    /** A plain request; {@code headers} may be null for none. */
    static RouteRequest of(String host, String method, String path, String query, HttpHeaders headers) {
        return new Simple(host, method, path, query, headers == null ? EmptyHttpHeaders.INSTANCE : headers);
    }

    /** The value implementation behind {@link #of}. */
    record Simple(String host, String method, String path, String query, HttpHeaders headers)
            implements RouteRequest {}
}
