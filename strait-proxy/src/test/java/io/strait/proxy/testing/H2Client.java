package io.strait.proxy.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal HTTP/2 client with prior knowledge (h2c, no upgrade): one connection, one stream per
 * request, each answered as a whole {@link Response}. Built on Netty's frame codec and multiplexer.
 */
public final class H2Client implements AutoCloseable {
    /** Largest response body a test reads whole. */
    private static final int MAX_RESPONSE = 16 * 1024 * 1024;

    /** A whole response; {@code headers} include Netty's {@code x-http2-*} extension headers. */
    public record Response(int status, HttpHeaders headers, String body) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final String authority;
    private final CompletableFuture<Http2GoAwayFrame> goAway = new CompletableFuture<>();

    public H2Client(String host, int port) throws InterruptedException {
        this.authority = host + ":" + port;
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().initialWindowSize(1024 * 1024))
                                .build();
                        ch.pipeline().addLast(codec, new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2GoAwayFrame g) goAway.complete(g.retain());
                                        io.netty.util.ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                });
        channel = b.connect(host, port).sync().channel();
    }

    public String authority() {
        return authority;
    }

    public Channel channel() {
        return channel;
    }

    /** Completes when the server sends GOAWAY. */
    public CompletableFuture<Http2GoAwayFrame> goAway() {
        return goAway;
    }

    public CompletableFuture<Response> get(String path) {
        return request(HttpMethod.GET, path, Map.of(), null);
    }

    public CompletableFuture<Response> post(String path, byte[] body) {
        return request(HttpMethod.POST, path, Map.of(), body);
    }

    /** Sends one request on a new stream; the Host header becomes :authority. */
    public CompletableFuture<Response> request(HttpMethod method, String path, Map<String, String> headers, byte[] body) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, content);
        req.headers().set(HttpHeaderNames.HOST, authority);
        headers.forEach((k, v) -> req.headers().set(k, v));
        new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(MAX_RESPONSE),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
                                result.complete(new Response(res.status().code(), new DefaultHttpHeaders().add(res.headers()),
                                        res.content().toString(StandardCharsets.UTF_8)));
                                ctx.close();
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                result.completeExceptionally(new IllegalStateException("stream closed without a response"));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                result.completeExceptionally(cause);
                                ctx.close();
                            }
                        });
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                req.release();
                result.completeExceptionally(f.cause());
                return;
            }
            ((Http2StreamChannel) f.getNow()).writeAndFlush(req).addListener(w -> {
                if (!w.isSuccess()) result.completeExceptionally(w.cause());
            });
        });
        return result;
    }

    /** One piece of a streamed response body and when it arrived. */
    public record Chunk(long arrivedNanos, String text) {}

    /**
     * Sends a GET and hands each body chunk to the queue as it arrives (no aggregation); the
     * future completes with the status once the response ends.
     */
    public CompletableFuture<Integer> stream(String path, java.util.concurrent.BlockingQueue<Chunk> chunks) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        int[] status = {0};
        new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof io.netty.handler.codec.http.HttpResponse res) status[0] = res.status().code();
                        if (msg instanceof io.netty.handler.codec.http.HttpContent c && c.content().isReadable()) {
                            chunks.add(new Chunk(System.nanoTime(), c.content().toString(StandardCharsets.UTF_8)));
                        }
                        if (msg instanceof io.netty.handler.codec.http.LastHttpContent) done.complete(status[0]);
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        done.completeExceptionally(new IllegalStateException("stream closed before the end"));
                    }
                });
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(f.cause());
                return;
            }
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
            req.headers().set(HttpHeaderNames.HOST, authority);
            ((Http2StreamChannel) f.getNow()).writeAndFlush(req);
        });
        return done;
    }

    /**
     * Sends a GET and counts the response body's bytes as they arrive, keeping none of them (for transfers
     * larger than the test's heap); the future completes with the status and the byte count at the end.
     */
    public CompletableFuture<long[]> download(String path) {
        CompletableFuture<long[]> done = new CompletableFuture<>();
        long[] statusAndBytes = {0, 0};
        new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof io.netty.handler.codec.http.HttpResponse res) statusAndBytes[0] = res.status().code();
                        if (msg instanceof io.netty.handler.codec.http.HttpContent c) statusAndBytes[1] += c.content().readableBytes();
                        if (msg instanceof io.netty.handler.codec.http.LastHttpContent) done.complete(statusAndBytes.clone());
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        done.completeExceptionally(new IllegalStateException("stream closed after " + statusAndBytes[1] + " bytes"));
                    }
                });
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(f.cause());
                return;
            }
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
            req.headers().set(HttpHeaderNames.HOST, authority);
            ((Http2StreamChannel) f.getNow()).writeAndFlush(req);
        });
        return done;
    }

    /**
     * Sends a GET on a stream that never reads its response: the client's flow-control windows
     * fill up and the server must stop sending. Closing the returned stream resets it.
     */
    public Http2StreamChannel openStalled(String path) throws InterruptedException {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.config().setAutoRead(false);
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }
                });
            }
        }).open().sync().getNow();
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
        req.headers().set(HttpHeaderNames.HOST, authority);
        stream.writeAndFlush(req).sync();
        return stream;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        goAway.thenAccept(io.netty.util.ReferenceCounted::release);
    }
}
