package io.strait.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The listener's {@code requestHeadersTimeout} for HTTP/2: sits before the frame codec and follows the frame
 * layer of the raw bytes (frame headers only; payloads are skipped by arithmetic, nothing is copied or
 * delayed). A header block (HEADERS or PUSH_PROMISE, then CONTINUATION frames up to END_HEADERS, each frame
 * complete) and the client's connection preface must arrive within the timeout, counted from their first
 * byte; otherwise the connection gets GOAWAY(ENHANCE_YOUR_CALM) and closes. A header block blocks the whole
 * connection until it ends (RFC 9113 6.10), so a dripped one holds no stream that could be reset alone.
 * Without this, a client dripping CONTINUATION frames would keep the connection (and the decoder's
 * buffered block) alive as long as it kept sending, since every frame resets the idle timeout.
 * One instance per connection.
 */
final class Http2HeadTimeout extends ChannelInboundHandlerAdapter {
    private static final int FRAME_HEADER = 9;
    /** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 3.4). */
    private static final int PREFACE = 24;
    private static final int TYPE_HEADERS = 0x1;
    private static final int TYPE_PUSH_PROMISE = 0x5;
    private static final int TYPE_CONTINUATION = 0x9;
    private static final int FLAG_END_HEADERS = 0x4;

    private final long timeoutNanos;
    private int prefaceLeft = PREFACE;
    private final byte[] header = new byte[FRAME_HEADER];
    private int headerLen;
    private long payloadLeft;
    private boolean headerFrame;
    private boolean endHeaders;
    /** A preface or header block is in progress since {@link #since} (System.nanoTime). */
    private boolean open = true;
    private long since = System.nanoTime();
    private ScheduledFuture<?> timer;
    private boolean expired;

    Http2HeadTimeout(long timeoutMillis) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) arm(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && !expired) follow(buf);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Timers only for a head still open at the end of a read: a head that arrives whole costs none.
        if (open) arm(ctx);
        else cancel();
        ctx.fireChannelReadComplete();
    }

    private void follow(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (prefaceLeft > 0) {
                int n = Math.min(prefaceLeft, end - i);
                i += n;
                prefaceLeft -= n;
                if (prefaceLeft == 0) open = false;
            } else if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, end - i);
                i += n;
                payloadLeft -= n;
                if (payloadLeft == 0) frameDone();
            } else {
                header[headerLen++] = buf.getByte(i++);
                if (headerLen == FRAME_HEADER) frameStarted();
            }
        }
    }

    private void frameStarted() {
        headerLen = 0;
        payloadLeft = ((header[0] & 0xFFL) << 16) | ((header[1] & 0xFFL) << 8) | (header[2] & 0xFFL);
        int type = header[3] & 0xFF;
        headerFrame = type == TYPE_HEADERS || type == TYPE_PUSH_PROMISE || type == TYPE_CONTINUATION;
        if (headerFrame) {
            endHeaders = (header[4] & FLAG_END_HEADERS) != 0;
            if (!open) {
                open = true;
                since = System.nanoTime();
            }
        }
        if (payloadLeft == 0) frameDone();
    }

    private void frameDone() {
        if (headerFrame && endHeaders) open = false;
        headerFrame = false;
    }

    private void arm(ChannelHandlerContext ctx) {
        if (timer != null || expired) return;
        long delay = Math.max(0, since + timeoutNanos - System.nanoTime());
        timer = ctx.executor().schedule(() -> fire(ctx), delay, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fire(ChannelHandlerContext ctx) {
        timer = null;
        if (!open) return;
        if (System.nanoTime() - (since + timeoutNanos) < 0) {
            arm(ctx); // a later head began since this timer was armed
            return;
        }
        expired = true;
        ctx.channel().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
