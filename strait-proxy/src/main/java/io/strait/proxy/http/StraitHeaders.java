package io.strait.proxy.http;

import io.netty.util.AsciiString;

/** Header names Strait reads or sets (lower case, as HTTP/2 needs them). */
public final class StraitHeaders {
    private StraitHeaders() {}

    public static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    public static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
    /** Which attempt of the request the upstream serves: 1 for the first try, 2 for the first retry... */
    public static final AsciiString ATTEMPT_COUNT = AsciiString.cached("x-strait-attempt-count");
    /** Milliseconds the upstream's attempt has left before Strait gives up on it (route {@code timeoutHeader}). */
    public static final AsciiString TIMEOUT_MS = AsciiString.cached("x-strait-timeout-ms");
    public static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    public static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
}
