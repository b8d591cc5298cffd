package io.strait.proxy.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Sits before the {@code HttpClientCodec} of an HTTP/1.1 upstream connection and checks the raw response
 * bytes with a {@link RawResponseScanner}. Each buffer is scanned in place and passed on unchanged. On a
 * violation the bytes before the offending one are passed on (they are a valid prefix), the rest is
 * dropped, {@link Rejected} is fired for the {@link UpstreamConnection} to fail its exchange and close the
 * connection, and all later input is dropped. One instance per connection.
 */
final class ResponseGuard extends ChannelInboundHandlerAdapter {

    /** Fired down the pipeline when the upstream's bytes break the framing rules; {@code reason} is a fixed text. */
    record Rejected(String reason) {}

    private final RawResponseScanner scanner = new RawResponseScanner();
    private boolean discarding;

    /** The request in flight's headers: its {@code Upgrade} is looked up only when a 101 answers it. */
    private HttpHeaders requestHeaders;
    private final java.util.function.BooleanSupplier upgradeQuery = this::upgradeRequested;

    /** The request {@code req} is being written: its response may now arrive. */
    void requestSent(HttpRequest req) {
        requestHeaders = req.headers();
        scanner.requestSent(req.method().equals(HttpMethod.HEAD), upgradeQuery);
    }

    /** Whether the request in flight asked for a protocol upgrade ({@code Upgrade}). */
    private boolean upgradeRequested() {
        return requestHeaders != null && requestHeaders.contains(HttpHeaderNames.UPGRADE);
    }

    /** Whether a 101 {@code res} switches to one of the protocols the request asked for (RFC 9110 7.8). */
    boolean upgradeAsked(HttpResponse res) {
        String to = res.headers().get(HttpHeaderNames.UPGRADE);
        String upgrade = requestHeaders == null ? null : requestHeaders.get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || to == null) return false;
        for (String p : upgrade.split(",")) {
            if (p.trim().equalsIgnoreCase(to.trim())) return true;
        }
        return false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (discarding) {
            buf.release();
            return;
        }
        int bad = scanner.scan(buf);
        if (bad < 0) {
            ctx.fireChannelRead(buf);
            return;
        }
        discarding = true;
        try {
            int from = buf.readerIndex();
            if (bad > from) ctx.fireChannelRead(buf.retainedSlice(from, bad - from));
        } finally {
            buf.release();
        }
        ctx.fireUserEventTriggered(new Rejected(scanner.problem()));
    }
}
