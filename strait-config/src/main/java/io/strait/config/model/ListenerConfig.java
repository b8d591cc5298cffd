package io.strait.config.model;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A downstream listener.
 *
 * @param protocols which protocols it speaks in clear text: HTTP/1.1 and/or HTTP/2 prior knowledge
 * @param maxRequestLineLength longest request line; longer is 414
 * @param maxHeaderSize total size of request headers; larger is 431
 * @param maxRequestBodySize largest request body in bytes, 0 for no limit; larger is 413
 * @param requestHeadersTimeout time allowed to receive a request's headers; slower is 408
 * @param requestTimeout time allowed to receive a whole request (headers and body), 0 for none; 408
 * @param idleTimeout a connection with no request in flight is closed after this
 * @param xffTrustedHops how many X-Forwarded-For entries from downstream to trust (0: replace it)
 * @param paths path normalization policy
 * @param tls TLS termination, or null for a plain listener
 * @param redirectToHttps on a plain listener: answer everything with a redirect to https, or null
 * @param routes the names of the routes this listener serves (matched in the order of the routes section),
 *     or null for every route
 * @param filters filters every request on the listener runs, in order, before its route is chosen
 */
public record ListenerConfig(
        String name,
        HostPort address,
        Set<Protocol> protocols,
        int maxRequestLineLength,
        int maxHeaderSize,
        int maxHeaderCount,
        long maxRequestBodySize,
        Duration requestHeadersTimeout,
        Duration requestTimeout,
        Duration idleTimeout,
        int xffTrustedHops,
        PathPolicy paths,
        TlsConfig tls,
        RedirectToHttps redirectToHttps,
        List<String> routes,
        List<FilterSpec> filters) {

    /** On a TLS listener {@code H2C} stands for HTTP/2 (ALPN h2, or the preface without ALPN). */
    public enum Protocol { HTTP1, H2C }

    /** A listener serving every route. */
    public ListenerConfig(String name, HostPort address, Set<Protocol> protocols, int maxRequestLineLength,
            int maxHeaderSize, int maxHeaderCount, long maxRequestBodySize, Duration requestHeadersTimeout,
            Duration requestTimeout, Duration idleTimeout, int xffTrustedHops, PathPolicy paths, TlsConfig tls,
            RedirectToHttps redirectToHttps) {
        this(name, address, protocols, maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxRequestBodySize,
                requestHeadersTimeout, requestTimeout, idleTimeout, xffTrustedHops, paths, tls, redirectToHttps, null, List.of());
    }

    /** A plain listener. */
    public ListenerConfig(String name, HostPort address, Set<Protocol> protocols, int maxRequestLineLength,
            int maxHeaderSize, int maxHeaderCount, long maxRequestBodySize, Duration requestHeadersTimeout,
            Duration requestTimeout, Duration idleTimeout, int xffTrustedHops, PathPolicy paths) {
        this(name, address, protocols, maxRequestLineLength, maxHeaderSize, maxHeaderCount, maxRequestBodySize,
                requestHeadersTimeout, requestTimeout, idleTimeout, xffTrustedHops, paths, null, null, null, List.of());
    }

    public ListenerConfig {
        filters = List.copyOf(filters);
    }

    /** Whether this listener serves only the routes it names. */
    public boolean namesRoutes() {
        return routes != null;
    }

    public boolean secure() {
        return tls != null;
    }
}
