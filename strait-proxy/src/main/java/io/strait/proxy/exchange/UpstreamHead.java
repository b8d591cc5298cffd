package io.strait.proxy.exchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.strait.proxy.http.HopByHop;
import io.strait.proxy.http.StraitHeaders;

/**
 * Writes the upstream request's head: the client's head, rewritten in place (it is the exchange's
 * alone). Hop-by-hop headers go, {@code Expect: 100-continue} is answered by the exchange itself
 * (nginx and Envoy do the same), the body's framing is chosen for the upstream's protocol, the route's
 * rewrite applies, and the trace context is passed on. No state: it runs once per request.
 */
final class UpstreamHead {
    private UpstreamHead() {}

    /** Rewrites {@code x}'s request into the upstream request; notes a WebSocket upgrade and a 100-continue on {@code x}. */
    static void prepare(ProxyExchange x) {
        HttpRequest request = x.request;
        HttpHeaders h = request.headers();
        boolean h2Client = x.down.http2();
        boolean complete = x.requestPump.complete;
        x.webSocket = !h2Client && HopByHop.isWebSocketUpgrade(h);
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        HopByHop.strip(h, x.webSocket);
        // Expect: 100-continue is answered when the body can go somewhere (the connection is there);
        // the upstream does not see it.
        boolean expectContinue = !h2Client && !complete && HttpUtil.is100ContinueExpected(request);
        x.requestPump.expectContinue = expectContinue;
        if (expectContinue) h.remove(HttpHeaderNames.EXPECT);
        if (h2Client) removeHttp2Extensions(h);
        // Body framing towards an HTTP/1.1 upstream: keep a Content-Length, otherwise stream chunked.
        // HTTP/2 frames bodies itself.
        if (!x.call.upstreamH2 && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (chunked || (h2Client && !complete)) h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        x.query = x.ctx.query(); // a filter may have changed it (e.g. removed a credential parameter)
        // a filter may have changed the path (the transform filter's path rewrite); the route's rewrite (or a default
        // version's alias) applies after it, and leaves it unchanged without one
        String path = x.ctx.path() != null ? x.ctx.path() : x.path;
        String target = x.matched.rewritePath(path);
        request.setUri(x.query == null ? target : target + "?" + x.query);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (x.route.config().rewrite() != null && x.route.config().rewrite().host() != null) {
            h.set(HttpHeaderNames.HOST, x.route.config().rewrite().host());
        }
        if (x.trace != null) h.set(StraitHeaders.TRACEPARENT, x.engine.tracing().traceparentForUpstream(x.trace));
    }

    /** Netty's HTTP/2 to HttpObject conversion carries stream details as x-http2-* headers: never forward them. */
    static void removeHttp2Extensions(HttpHeaders h) {
        for (HttpConversionUtil.ExtensionHeaderNames ext : HttpConversionUtil.ExtensionHeaderNames.values()) {
            h.remove(ext.text());
        }
    }
}
