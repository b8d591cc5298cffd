package io.strait.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.config.model.RedirectToHttps;
import io.strait.proxy.http.ErrorResponse;

/**
 * The answer of a plain listener with {@code redirectToHttps}: 308 Permanent Redirect (the client repeats
 * the method and body) to {@code https://host[:port]/path?query}, with a small JSON body.
 */
public final class HttpsRedirect {
    /** The port browsers use for https when the URL names none. */
    private static final int HTTPS_PORT = 443;
    /** A host name or IP literal with an optional port: anything else must not end up in a Location. */
    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("[A-Za-z0-9.\\-]+(:\\d+)?|\\[[0-9A-Fa-f:.]+\\](:\\d+)?");

    private HttpsRedirect() {}

    /** {@code fallbackHost}: the listener's own address, for an HTTP/1.0 request without Host. */
    public static FullHttpResponse response(ByteBufAllocator alloc, HttpRequest req, RedirectToHttps redirect,
            String fallbackHost) {
        String location = location(req.headers().get(HttpHeaderNames.HOST), req.uri(), redirect.port(), fallbackHost);
        FullHttpResponse res = ErrorResponse.create(alloc, HttpResponseStatus.PERMANENT_REDIRECT, "https_required",
                "this address serves https only: " + location, null);
        res.headers().set(HttpHeaderNames.LOCATION, location);
        return res;
    }

    static String location(String hostHeader, String uri, int port, String fallbackHost) {
        boolean usable = hostHeader != null && HOST.matcher(hostHeader).matches();
        String host = hostOnly(usable ? hostHeader : fallbackHost);
        String path = uri.startsWith("/") ? uri : "/";
        return "https://" + host + (port == HTTPS_PORT ? "" : ":" + port) + path;
    }

    /** The Host header without its port: {@code [::1]:80} is {@code [::1]}, {@code a.com:80} is {@code a.com}. */
    private static String hostOnly(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(0, end + 1) : host;
        }
        int colon = host.indexOf(':');
        if (colon >= 0 && host.indexOf(':', colon + 1) < 0) return host.substring(0, colon);
        if (colon >= 0) return "[" + host + "]"; // a bare IPv6 address
        return host;
    }
}
