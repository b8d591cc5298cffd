package io.strait.proxy.exchange;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.strait.config.model.ListenerConfig;

/** The client side of an exchange: one HTTP/1.1 connection or one HTTP/2 stream. */
public interface Downstream {
    Channel channel();

    EventLoop loop();

    ListenerConfig listener();

    boolean http2();

    boolean secure();

    /** Asks for the next request message (head or body chunk): reads are explicit, for backpressure. */
    void read();

    ChannelFuture write(Object msg);

    void flush();

    boolean isWritable();

    /** True when this connection must close after the current response (client asked, or draining). */
    boolean closeAfterResponse();

    /**
     * The exchange is over. With {@code reusable}, the connection waits for the next request;
     * otherwise it closes once the response is flushed.
     */
    void exchangeDone(ProxyExchange exchange, boolean reusable);

    /**
     * Makes sure the connection's one timer fires no later than {@code deadlineNanos} (System.nanoTime),
     * {@code spanNanos} after it was set. The exchange decides what is due: when the timer fires it calls
     * {@link ProxyExchange#onTimer(long)}, which returns the next time it must fire.
     */
    void armDeadline(long deadlineNanos, long spanNanos);

    /** Turns the connection into a byte tunnel to {@code upstream} (after a 101 response). */
    void becomeTunnel(Channel upstream);
}
