package io.strait.proxy.observe;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The bounded label values of {@code strait_requests_total}: a request's method (the methods of RFC 9110 and
 * PATCH by name, any other as {@code other}, so clients cannot make up series) and protocol, as small indexes
 * computed without allocating; and its exact status code ({@code other} outside 100..599).
 */
public final class RequestLabels {
    /** The {@code method} label values, by index. */
    static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other"};
    /** The {@code protocol} label values, by index. */
    static final String[] PROTOCOLS = {"HTTP/1.1", "HTTP/1.0", "HTTP/2"};
    static final String OTHER = "other";

    private static final int METHOD_BITS = 4;
    private static final int PROTOCOL_BITS = 2;

    private RequestLabels() {}

    /**
     * The method and protocol of a request as one small int, for {@link RouteMetrics#record}.
     *
     * @param http2 whether the request came over HTTP/2 (then {@code version} is not looked at)
     */
    public static int kind(HttpMethod method, boolean http2, HttpVersion version) {
        int protocol = http2 ? 2 : version == HttpVersion.HTTP_1_0 ? 1 : 0;
        return methodIndex(method.name()) | protocol << METHOD_BITS;
    }

    static int methodOf(int kind) {
        return kind & ((1 << METHOD_BITS) - 1);
    }

    static int protocolOf(int kind) {
        return (kind >>> METHOD_BITS) & ((1 << PROTOCOL_BITS) - 1);
    }

    /** Bits a kind takes. */
    static final int KIND_BITS = METHOD_BITS + PROTOCOL_BITS;

    static int methodIndex(String name) {
        return switch (name) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "DELETE" -> 4;
            case "CONNECT" -> 5;
            case "OPTIONS" -> 6;
            case "TRACE" -> 7;
            case "PATCH" -> 8;
            default -> 9;
        };
    }

    /** The {@code code_class} label of an exact code (0: a code outside 100..599). */
    static String codeClass(int code) {
        return code == 0 ? OTHER : (code / 100) + "xx";
    }

    /** The {@code code} label of an exact code (0: a code outside 100..599). */
    static String code(int code) {
        return code == 0 ? OTHER : Integer.toString(code);
    }
}
