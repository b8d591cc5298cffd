package io.strait.proxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.strait.config.model.HostPort;
import io.strait.proxy.http.ErrorResponse;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.runtime.ProxyServer;
import io.strait.proxy.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The admin listener: {@code GET /ready}, {@code /metrics}, {@code /config}, {@code /clusters}
 * and {@code POST /reload}. Loopback by default: it can change the running configuration.
 */
public final class AdminServer {
    /** Admin requests are tiny; anything bigger is not for us. */
    private static final int MAX_BODY = 64 * 1024;

    private final ProxyServer server;
    private Channel channel;

    public AdminServer(ProxyServer server) {
        this.server = server;
    }

    public void bind(HostPort address, EventLoopGroup group, Transport transport) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY), new Handler());
                    }
                });
        channel = b.bind(address.host(), address.port()).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public void close() {
        if (channel != null) channel.close().syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess()) {
                send(ctx, error(ctx, HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request"), false);
                return;
            }
            String path = new QueryStringDecoder(req.uri()).path();
            HttpMethod m = req.method();
            switch (path) {
                case "/ready" -> {
                    boolean ok = server.ready();
                    send(ctx, text(ctx, ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            ok ? "ready\n" : "not ready\n", "text/plain; charset=utf-8"), keepAlive);
                }
                case "/metrics" -> {
                    ByteBuf buf = ctx.alloc().buffer(8192);
                    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
                        server.metrics().scrape(out);
                    } catch (IOException e) {
                        buf.release();
                        send(ctx, error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "metrics_failed", e.getMessage()), false);
                        return;
                    }
                    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
                    res.headers().set(HttpHeaderNames.CONTENT_TYPE, ProxyMetrics.CONTENT_TYPE);
                    send(ctx, res, keepAlive);
                }
                case "/config" -> send(ctx, json(ctx, HttpResponseStatus.OK,
                        ConfigView.toJson(server.snapshot().config())), keepAlive);
                case "/clusters" -> send(ctx, json(ctx, HttpResponseStatus.OK,
                        ClustersView.toJson(server.snapshot().clusters(), server.pools())), keepAlive);
                case "/reload" -> {
                    if (m != HttpMethod.POST) {
                        send(ctx, error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "use POST /reload"), keepAlive);
                        return;
                    }
                    // Reading and validating files is blocking work: off the event loop.
                    server.reloadAsync().whenComplete((r, err) -> ctx.executor().execute(() -> {
                        if (err != null) {
                            send(ctx, error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "reload_failed", err.toString()), false);
                        } else {
                            send(ctx, json(ctx, r.applied() ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST,
                                    ConfigView.reloadJson(r.applied(), r.errors())), keepAlive);
                        }
                    }));
                }
                default -> send(ctx, error(ctx, HttpResponseStatus.NOT_FOUND, "not_found",
                        "admin endpoints: /ready /metrics /config /clusters /reload"), keepAlive);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static FullHttpResponse error(ChannelHandlerContext ctx, HttpResponseStatus st, String code, String msg) {
        return ErrorResponse.create(ctx.alloc(), st, code, msg == null ? "" : msg, null);
    }

    private static FullHttpResponse json(ChannelHandlerContext ctx, HttpResponseStatus st, String body) {
        return text(ctx, st, body, "application/json");
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus st, String body, String type) {
        ByteBuf buf = ctx.alloc().buffer(body.length());
        buf.writeCharSequence(body, StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, st, buf);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        return res;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (!keepAlive) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
    }
}
