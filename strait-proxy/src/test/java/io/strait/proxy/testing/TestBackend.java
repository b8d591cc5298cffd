package io.strait.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 backend on a loopback port for integration tests, with behaviours chosen by
 * path:
 * <ul>
 *   <li>{@code /echo...} (and anything unknown): JSON with the backend name, method, uri, headers and body size
 *   <li>{@code /status/N}: answers status N
 *   <li>{@code /delay/MS}: answers after MS milliseconds
 *   <li>{@code /bytes/N}: streams N bytes (chunked, honouring backpressure)
 *   <li>{@code /sse/N/MS}: N server-sent events MS milliseconds apart
 *   <li>{@code /reset}: closes the connection without answering
 *   <li>{@code /half}: sends headers and part of the body, then closes
 *   <li>{@code /ws}: WebSocket echo
 * </ul>
 * Every request head it receives is recorded ({@link #received()}). For cluster and health-check
 * tests it can also answer every path ({@code /healthz} included) with one status ({@link #status(int)}),
 * delay every answer ({@link #delay(long)}), and {@link #stop()} and {@link #restart()} on the same port.
 * As a JUnit extension, see {@link BackendExtension}.
 */
public final class TestBackend implements AutoCloseable {
    private static final byte[] CHUNK = new byte[64 * 1024];

    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final boolean h2c;
    private volatile Channel server;
    private volatile int boundPort;
    private volatile HttpRequest last;
    private volatile int allStatus;
    private volatile long delayMillis;
    private final AtomicInteger failuresServed = new AtomicInteger();
    private final java.util.Set<Integer> clientPorts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<HttpRequest> received = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong bodyBytes = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile int forcedStatus;
    /** Requests (other than /healthz) still to fail as {@link #failNext} says, and how. */
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failWith;
    private volatile boolean failHealthChecks;
    private volatile boolean readsPaused;
    /** Over TLS: the current server context (tests replace it), the SNI names received and the handshakes done. */
    private volatile SslContext tls;
    private final ConcurrentLinkedQueue<String> serverNames = new ConcurrentLinkedQueue<>();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> clientSubjects = new ConcurrentLinkedQueue<>();

    public TestBackend(String name) throws InterruptedException {
        this(name, 0);
    }

    public TestBackend(String name, int port) throws InterruptedException {
        this(name, port, false);
    }

    /** A backend that speaks HTTP/2 with prior knowledge (h2c) only. */
    public static TestBackend h2c(String name) throws InterruptedException {
        return new TestBackend(name, 0, true);
    }

    /**
     * A backend behind TLS with {@code context} (a server context; with client auth set, it asks for
     * client certificates): HTTP/1.1, or HTTP/2 when the client chooses h2 by ALPN. It records the
     * SNI name of every connection ({@link #serverNames()}).
     */
    public static TestBackend tls(String name, SslContext context) throws InterruptedException {
        return new TestBackend(name, 0, false, context);
    }

    private TestBackend(String name, int port, boolean h2c) throws InterruptedException {
        this(name, port, h2c, null);
    }

    private TestBackend(String name, int port, boolean h2c, SslContext tlsContext) throws InterruptedException {
        this.name = name;
        this.tls = tlsContext;
        this.h2c = h2c;
        server = bind(port);
        boundPort = ((InetSocketAddress) server.localAddress()).getPort();
    }

    private Channel bind(int port) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        children.add(ch);
                        if (ch.remoteAddress() instanceof InetSocketAddress remote) clientPorts.add(remote.getPort());
                        if (readsPaused) ch.config().setAutoRead(false);
                        if (tls != null) {
                            ch.pipeline().addLast(new SniHandler(host -> {
                                serverNames.add(host == null ? "" : host);
                                return tls;
                            }), new TlsHandshakes(), new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                                @Override
                                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                    if (protocol.equals(ApplicationProtocolNames.HTTP_2)) http2(ctx.channel());
                                    else ctx.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(), new Handler());
                                }
                            });
                        } else if (h2c) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                        @Override
                                        protected void initChannel(Channel stream) {
                                            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new Handler());
                                        }
                                    }));
                        } else {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(), new Handler());
                        }
                    }
                }).bind("127.0.0.1", port).sync().channel();
    }

    private void http2(Channel ch) {
        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel stream) {
                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new Handler());
                    }
                }));
    }

    /** Counts completed handshakes. */
    private final class TlsHandshakes extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                handshakes.incrementAndGet();
                try {
                    var peer = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class).engine().getSession().getPeerCertificates();
                    clientSubjects.add(((java.security.cert.X509Certificate) peer[0]).getSubjectX500Principal().getName());
                } catch (javax.net.ssl.SSLPeerUnverifiedException | RuntimeException none) {
                    clientSubjects.add("");
                }
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Replaces the TLS server context: new connections use it. */
    public void tlsContext(SslContext context) {
        this.tls = context;
    }

    /** The SNI names of the TLS connections so far ("" for none sent). */
    public List<String> serverNames() {
        return List.copyOf(serverNames);
    }

    /** The subject of each TLS connection's client certificate, in order ("" for none). */
    public List<String> clientSubjects() {
        return List.copyOf(clientSubjects);
    }

    /** TLS handshakes completed so far. */
    public int handshakes() {
        return handshakes.get();
    }

    public int port() {
        return boundPort;
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public String name() {
        return name;
    }

    /** Request heads received, in order. */
    public List<HttpRequest> received() {
        return List.copyOf(received);
    }

    public int requestCount() {
        return received.size();
    }

    /** Connections accepted since start. */
    public int connectionCount() {
        return connections.get();
    }

    /** Request body bytes received in total. */
    public long bodyBytes() {
        return bodyBytes.get();
    }

    /** Makes every request except {@code /healthz} answer this status; 0 turns it off. */
    public void forceStatus(int status) {
        this.forcedStatus = status;
    }

    /**
     * The next {@code count} requests (other than {@code /healthz}) fail: with {@code status} when it
     * is a status code, by closing the connection without an answer when it is {@link #RESET}, or by
     * never answering when it is {@link #HANG}.
     */
    public void failNext(int count, int status) {
        failWith = status;
        failuresLeft.set(count);
    }

    /** {@link #failNext} closes the connection. */
    public static final int RESET = 0;
    /** {@link #failNext} never answers. */
    public static final int HANG = -1;

    /** Makes {@code /healthz} answer 503 (health checks fail) while every other path works as usual. */
    public void failHealthChecks(boolean fail) {
        this.failHealthChecks = fail;
    }

    /** Response body bytes of {@code /bytes/N} the backend has handed to its socket so far. */
    public long bytesSent() {
        return bytesSent.get();
    }

    /**
     * Stops (or resumes) reading from every connection, current and new: request bodies then back
     * up into the proxy, which must stop reading its client (upload backpressure).
     */
    public void pauseReads(boolean paused) {
        readsPaused = paused;
        for (Channel ch : children) ch.config().setAutoRead(!paused);
    }

    /**
     * Makes every request, {@code /healthz} included, answer {@code status} with the body
     * {@code status N} (none for 204); 0 turns it off. Unlike {@link #forceStatus}, health checks see it.
     */
    public void status(int status) {
        this.allStatus = status;
    }

    /** Delays every answer by {@code millis} (0: none), health checks included. */
    public void delay(long millis) {
        this.delayMillis = millis;
    }

    /** The Host header of the last request received, or null before any. */
    public String lastHost() {
        HttpRequest r = last;
        return r == null ? null : r.headers().get(HttpHeaderNames.HOST);
    }

    /** The request target (path and query) of the last request received, or null before any. */
    public String lastPath() {
        HttpRequest r = last;
        return r == null ? null : r.uri();
    }

    /** Answers sent with a status outside 2xx. */
    public int failuresServed() {
        return failuresServed.get();
    }

    /** The client-side ports of the connections accepted so far (one per connection the proxy opened). */
    public java.util.Set<Integer> clientPorts() {
        return java.util.Set.copyOf(clientPorts);
    }

    /** Stops listening and closes every open connection; the port is kept for {@link #restart()}. */
    public synchronized void stop() {
        if (group.isShuttingDown()) return;
        server.close().syncUninterruptibly();
        // every connection closes now, as the kernel closes a dead process's sockets
        children.close().syncUninterruptibly();
    }

    /** Listens again on the same port after {@link #stop()} (or stops and listens again). */
    public synchronized void restart() {
        stop();
        try {
            server = bind(boundPort);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding port " + boundPort, e);
        }
    }

    /** Stops the backend (its port refuses connections); calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (group.isShuttingDown()) return;
        stop();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest current;
        private long currentBody;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest req) {
                received.add(req);
                last = req;
                current = req;
                currentBody = 0;
                if (req.uri().startsWith("/ws") && req.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
                    ctx.pipeline().addBefore(ctx.name(), "agg", new HttpObjectAggregator(65536));
                    ctx.pipeline().addBefore(ctx.name(), "ws", new WebSocketServerProtocolHandler("/ws"));
                    ctx.pipeline().addLast(new WsEcho());
                    ctx.pipeline().remove(this);
                    ctx.pipeline().context("agg").fireChannelRead(msg);
                    return;
                }
            }
            if (msg instanceof HttpContent content) {
                currentBody += content.content().readableBytes();
                bodyBytes.addAndGet(content.content().readableBytes());
                content.release();
                if (content instanceof LastHttpContent) respond(ctx, current, currentBody);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req, long bodySize) {
            long delay = delayMillis;
            if (delay > 0) ctx.executor().schedule(() -> answer(ctx, req, bodySize), delay, TimeUnit.MILLISECONDS);
            else answer(ctx, req, bodySize);
        }

        private void answer(ChannelHandlerContext ctx, HttpRequest req, long bodySize) {
            if (!ctx.channel().isActive()) return;
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String[] parts = q.path().split("/");
            String first = parts.length > 1 ? parts[1] : "";
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            int everything = allStatus;
            if (everything != 0) {
                FullHttpResponse res = full(HttpResponseStatus.valueOf(everything), everything == 204 ? "" : "status " + everything);
                if (everything == 204) res.headers().remove(HttpHeaderNames.CONTENT_LENGTH).remove(HttpHeaderNames.CONTENT_TYPE);
                send(ctx, res, keepAlive);
                return;
            }
            if (failHealthChecks && q.path().equals("/healthz")) {
                send(ctx, full(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"backend\":\"" + name + "\"}"), keepAlive);
                return;
            }
            if (!q.path().equals("/healthz") && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                int how = failWith;
                if (how == RESET) ctx.close();
                else if (how != HANG) send(ctx, full(HttpResponseStatus.valueOf(how), "{\"backend\":\"" + name + "\"}"), keepAlive);
                return;
            }
            if (forcedStatus != 0 && !q.path().equals("/healthz")) {
                send(ctx, full(HttpResponseStatus.valueOf(forcedStatus), "{\"backend\":\"" + name + "\"}"), keepAlive);
                return;
            }
            switch (first) {
                case "status" -> send(ctx, full(HttpResponseStatus.valueOf(Integer.parseInt(parts[2])),
                        "{\"backend\":\"" + name + "\"}"), keepAlive);
                case "delay" -> ctx.executor().schedule(() -> send(ctx, echo(req, bodySize), keepAlive),
                        Long.parseLong(parts[2]), TimeUnit.MILLISECONDS);
                case "bytes" -> streamBytes(ctx, Long.parseLong(parts[2]), keepAlive);
                case "sse" -> sse(ctx, Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
                case "reset" -> ctx.close();
                case "half" -> {
                    DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1000);
                    ctx.write(res);
                    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[100])))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                default -> send(ctx, echo(req, bodySize), keepAlive);
            }
        }

        private FullHttpResponse echo(HttpRequest req, long bodySize) {
            StringBuilder sb = new StringBuilder("{\"backend\":\"").append(name).append("\",\"method\":\"")
                    .append(req.method()).append("\",\"uri\":").append(Json.quote(req.uri()))
                    .append(",\"bodyBytes\":").append(bodySize).append(",\"headers\":{");
            boolean firstHeader = true;
            for (Map.Entry<String, String> h : req.headers()) {
                if (!firstHeader) sb.append(',');
                firstHeader = false;
                sb.append(Json.quote(h.getKey().toLowerCase())).append(':').append(Json.quote(h.getValue()));
            }
            return full(HttpResponseStatus.OK, sb.append("}}").toString());
        }

        private void streamBytes(ChannelHandlerContext ctx, long total, boolean keepAlive) {
            DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, total);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
            ctx.write(res);
            new Streamer(ctx, total, keepAlive, bytesSent).next();
        }

        private void sse(ChannelHandlerContext ctx, int count, long everyMs) {
            DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
            res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.writeAndFlush(res);
            AtomicInteger sent = new AtomicInteger();
            Runnable[] tick = new Runnable[1];
            tick[0] = () -> {
                if (!ctx.channel().isActive()) return;
                int n = sent.incrementAndGet();
                ByteBuf ev = Unpooled.copiedBuffer("id: " + n + "\ndata: event " + n + "\n\n", StandardCharsets.UTF_8);
                ctx.writeAndFlush(new DefaultHttpContent(ev));
                if (n < count) ctx.executor().schedule(tick[0], everyMs, TimeUnit.MILLISECONDS);
                else ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            };
            ctx.executor().schedule(tick[0], everyMs, TimeUnit.MILLISECONDS);
        }

        private FullHttpResponse full(HttpResponseStatus status, String body) {
            ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes());
            res.headers().set("x-backend", name);
            return res;
        }

        private void send(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
            if (!keepAlive) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            if (res.status().codeClass() != io.netty.handler.codec.http.HttpStatusClass.SUCCESS) failuresServed.incrementAndGet();
            ChannelFuture f = ctx.writeAndFlush(res);
            if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Writes a large body chunk by chunk, only while the channel is writable (a well-behaved server). */
    private static final class Streamer {
        private final ChannelHandlerContext ctx;
        private final boolean keepAlive;
        private final AtomicLong sent;
        private long remaining;

        Streamer(ChannelHandlerContext ctx, long total, boolean keepAlive, AtomicLong sent) {
            this.ctx = ctx;
            this.remaining = total;
            this.keepAlive = keepAlive;
            this.sent = sent;
        }

        void next() {
            while (remaining > 0 && ctx.channel().isActive()) {
                int n = (int) Math.min(CHUNK.length, remaining);
                remaining -= n;
                ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(CHUNK, 0, n)));
                f.addListener(done -> { if (done.isSuccess()) sent.addAndGet(n); });
                if (!ctx.channel().isWritable()) {
                    f.addListener(done -> { if (done.isSuccess()) next(); });
                    return;
                }
            }
            if (remaining == 0) {
                ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
                remaining = -1;
            }
        }
    }

    private static final class WsEcho extends io.netty.channel.SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame t) ctx.writeAndFlush(new TextWebSocketFrame("echo: " + t.text()));
        }
    }
}
