package io.strait.proxy.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP/2 reset-flood ("rapid reset", CVE-2023-44487) defence across all connections of one listener.
 * Netty bounds each connection on its own (200 RST_STREAM frames per 30 s), so many connections together
 * would still make the proxy start thousands of requests that their clients cancel at once. This budget
 * counts the streams that a client cancels after their request reached the proxy and before any of the
 * response was written, over all the listener's connections: past {@link #LIMIT} in one {@link #WINDOW}, a
 * connection that cancels such a stream gets GOAWAY(ENHANCE_YOUR_CALM) and is closed once its other
 * streams end. Shared by the listener's event loops: lock-free.
 */
final class StreamCancelBudget {
    /**
     * Cancelled-before-response streams per window and listener: ten times what Netty lets one connection
     * reset in a whole 30 s window (200), so thousands of clients that cancel now and then (a browser
     * leaving a page, a gRPC deadline) never meet it, while a flood over many connections is cut after at
     * most this many requests per window, plus what each offending connection had in flight.
     */
    static final int LIMIT = 2000;
    /** The budget's window: short, so a burst in the past does not punish well-behaved clients for long. */
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int limit;
    private final long windowNanos;
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicInteger used = new AtomicInteger();
    private final LongAdder within = new LongAdder();
    private final LongAdder over = new LongAdder();

    StreamCancelBudget() {
        this(LIMIT, WINDOW_NANOS);
    }

    StreamCancelBudget(int limit, long windowNanos) {
        this.limit = limit;
        this.windowNanos = windowNanos;
    }

    /**
     * A client cancelled a stream of {@code connection} before its response: counted, and when the
     * listener's budget is spent the connection is sent GOAWAY and closed.
     */
    void cancelled(Channel connection) {
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start >= windowNanos && windowStart.compareAndSet(start, now)) used.set(0);
        if (used.incrementAndGet() <= limit) {
            within.increment();
            return;
        }
        over.increment();
        if (connection.isActive()) {
            connection.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Cancellations within the budget, since the listener started. */
    long withinBudget() {
        return within.sum();
    }

    /** Cancellations past the budget (each one cost its connection a GOAWAY), since the listener started. */
    long overBudget() {
        return over.sum();
    }
}
