package io.strait.proxy.cluster;

import io.strait.proxy.transport.Transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.strait.config.model.HealthCheckConfig;
import io.strait.proxy.tls.UpstreamTls;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one endpoint over and over: {@code GET path} over HTTP/1.1 on its own connection (kept alive
 * between checks when the endpoint allows), a 2xx within the timeout passes, anything else fails. Over
 * TLS when the cluster has it, with the same certificates and checks as requests (ALPN http/1.1).
 * Every field after construction is touched only on {@link #loop}, so nothing is locked.
 */
final class HealthProbe {
    private static final Logger log = LoggerFactory.getLogger(HealthProbe.class);
    /** Names the checks in the endpoint's access logs, so they can be told from (and filtered out of) real traffic. */
    static final String USER_AGENT = "strait-health-check";

    private final String cluster;
    private final Endpoint endpoint;
    private final HealthCheckConfig config;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final String hostHeader;
    private final UpstreamTls tls;
    private volatile boolean stopped;

    private Channel channel;
    private Check check;
    private ScheduledFuture<?> nextCheck;

    /** One check in flight. */
    private final class Check {
        final long startNanos = System.nanoTime();
        ScheduledFuture<?> timeout;
        int status;
        boolean keepAlive;
        /** Sent on a connection kept alive from an earlier check. */
        boolean reused;
        boolean done;
    }

    HealthProbe(String cluster, Endpoint endpoint, HealthCheckConfig config, EventLoop loop, Transport transport, UpstreamTls tls) {
        this.cluster = cluster;
        this.tls = tls;
        this.endpoint = endpoint;
        this.config = config;
        this.loop = loop;
        this.hostHeader = config.host() != null ? config.host() : hostHeader(endpoint);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), endpoint.hostname(), endpoint.address(),
                                    config.timeout().toMillis(), true));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new ResponseHandler());
                    }
                });
    }

    /** The endpoint's {@code host:port}, by the DNS name it came from when it has one. */
    static String hostHeader(Endpoint endpoint) {
        if (endpoint.hostname() == null) return endpoint.id();
        String host = endpoint.hostname();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + endpoint.address().getPort();
    }

    /** Runs the first check right away, then one every interval after the previous one finished. */
    void start() {
        try {
            loop.execute(this::run);
        } catch (RejectedExecutionException e) {
            stopped = true; // the event loop group is shutting down
        }
    }

    /** Stops checking and closes the connection; returns at once. */
    void stop() {
        stopped = true;
        try {
            loop.execute(() -> {
                if (nextCheck != null) nextCheck.cancel(false);
                if (check != null && check.timeout != null) check.timeout.cancel(false);
                closeChannel();
            });
        } catch (RejectedExecutionException e) {
            // the event loop group is shutting down and closes the connection itself
        }
    }

    private void run() {
        if (stopped) return;
        Check c = new Check();
        check = c;
        c.timeout = loop.schedule(() -> {
            if (finish(c, false, "timeout")) closeChannel();
        }, config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        if (channel != null && channel.isActive()) {
            c.reused = true;
            send(c, channel);
        } else {
            connect(c);
        }
    }

    private void connect(Check c) {
        closeChannel();
        ChannelFuture connect = bootstrap.connect(endpoint.address());
        channel = connect.channel();
        connect.addListener(f -> {
            if (f.isSuccess() && tls != null) {
                tls.whenReady(connect.channel(), endpoint.id(), endpoint.hostname(), true).addListener(ready -> {
                    if (!ready.isSuccess()) {
                        if (connect.channel() == channel) closeChannel();
                        finish(c, false, ready.cause().getMessage());
                    } else if (stopped || c.done) {
                        connect.channel().close();
                    } else {
                        send(c, connect.channel());
                    }
                });
            } else if (f.isSuccess()) {
                if (stopped || c.done) connect.channel().close();
                else send(c, connect.channel());
            } else {
                finish(c, false, "connect failed: " + f.cause().getMessage());
            }
        });
    }

    private void send(Check c, Channel ch) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, config.path(), Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, hostHeader).set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        ch.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess() && ch == channel) connectionLost(c, "write failed: " + f.cause().getMessage());
        });
    }

    /**
     * The connection broke before an answer. A kept-alive connection may have been closed by the
     * endpoint's idle timeout just as the check was sent (servers often close idle connections after
     * 5 s, the default interval): that is retried once on a fresh connection, within the same timeout.
     */
    private void connectionLost(Check c, String why) {
        if (c.done || stopped) return;
        if (c.reused && c.status == 0) {
            c.reused = false;
            connect(c);
        } else {
            closeChannel();
            finish(c, false, why);
        }
    }

    /** Records the result once per check and schedules the next; false when the check was already over. */
    private boolean finish(Check c, boolean passed, String detail) {
        if (c.done) return false;
        c.done = true;
        if (c.timeout != null) c.timeout.cancel(false);
        if (stopped) return true;
        record(passed, detail, Duration.ofNanos(System.nanoTime() - c.startNanos));
        nextCheck = loop.schedule(this::run, config.interval().toNanos(), TimeUnit.NANOSECONDS);
        return true;
    }

    private void record(boolean passed, String detail, Duration took) {
        int streak = endpoint.streak();
        streak = passed ? Math.max(streak, 0) + 1 : Math.min(streak, 0) - 1;
        endpoint.recordCheck(new HealthCheckResult(Instant.now(), passed, detail, took), streak);
        if (passed && !endpoint.passesHealthChecks() && streak >= config.healthyThreshold()) {
            log.info("cluster {}: endpoint {} is healthy again ({} passed checks)", cluster, endpoint.id(), streak);
            endpoint.healthy(true);
        } else if (!passed && endpoint.passesHealthChecks() && -streak >= config.unhealthyThreshold()) {
            log.warn("cluster {}: endpoint {} is unhealthy ({} failed checks, last: {})", cluster, endpoint.id(), -streak, detail);
            endpoint.healthy(false);
        }
    }

    private void closeChannel() {
        Channel ch = channel;
        channel = null; // first: closing fires channelInactive, which must not count as this check's failure
        if (ch != null) ch.close();
    }

    private final class ResponseHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                Check c = check;
                if (c == null || c.done || ctx.channel() != channel) return;
                if (msg instanceof HttpResponse response) {
                    c.status = response.status().code();
                    c.keepAlive = HttpUtil.isKeepAlive(response);
                }
                if (msg instanceof LastHttpContent) {
                    boolean passed = c.status >= 200 && c.status < 300;
                    finish(c, passed, Integer.toString(c.status));
                    if (!c.keepAlive) closeChannel();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                Check c = check;
                if (c != null && !c.done) connectionLost(c, "connection closed");
                else channel = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Check c = check;
            if (ctx.channel() == channel && c != null && !c.done) {
                closeChannel();
                finish(c, false, "error: " + cause.getMessage());
            } else {
                ctx.close();
            }
        }
    }
}
