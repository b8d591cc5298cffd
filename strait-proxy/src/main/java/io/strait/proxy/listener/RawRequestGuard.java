package io.strait.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before {@code HttpServerCodec} on an HTTP/1.1 connection and checks the raw request framing with a
 * {@link RawRequestScanner}: what Netty's decoder would silently accept (obs-fold, bare CR, extra spaces in the
 * request line, odd chunk lines, repeated framing headers) is refused here.
 *
 * <p>Each buffer is scanned in place and passed on unchanged (no copy, no delay). On a violation the guard passes
 * on only the bytes of the requests before the bad one, drops the rest, fires {@link Rejected} for
 * {@link RequestValidator} to answer, and discards all later input. One instance per connection.
 */
public final class RawRequestGuard extends ChannelInboundHandlerAdapter {

    /** Fired down the pipeline when the raw bytes break the framing rules. */
    public record Rejected(RequestProblem problem) {}

    private final RawRequestScanner scanner;
    /** Told that bytes arrived (a request head may have begun: its headers timeout starts); may be null. */
    private final DownstreamHandler activity;
    private boolean discarding;

    public RawRequestGuard(int maxHeaderCount) {
        this(maxHeaderCount, null);
    }

    RawRequestGuard(int maxHeaderCount, DownstreamHandler activity) {
        this.scanner = new RawRequestScanner(maxHeaderCount);
        this.activity = activity;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (activity != null) activity.bytesArrived();
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
        // Withhold the whole bad request when it began in this buffer, so none of it is decoded and forwarded.
        int start = scanner.requestStart();
        int keepEnd = start >= 0 ? start : bad;
        try {
            int from = buf.readerIndex();
            if (keepEnd > from) ctx.fireChannelRead(buf.retainedSlice(from, keepEnd - from));
        } finally {
            buf.release();
        }
        ctx.fireUserEventTriggered(new Rejected(scanner.problem()));
    }

    /** Drops all later input: the connection is being refused and will close. */
    void discardInput() {
        discarding = true;
    }

    /** Stops checking after a protocol switch (e.g. an upgrade): later bytes pass unexamined. */
    public void passThrough() {
        scanner.passThrough();
    }
}
