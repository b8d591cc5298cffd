package io.strait.proxy.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.util.ReferenceCountUtil;
import io.strait.proxy.testing.EventLoops;
import io.strait.proxy.testing.ProxyFixture;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed responses from an HTTP/2 upstream ({@code protocol: h2c}) that Netty's HTTP/2 decoder lets
 * through or refuses with a stream error: each is a 502 {@code bad_upstream_response}, and the next request
 * is served.
 */
class MalformedHttp2ResponseTest {
    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    static Channel server;
    static ProxyFixture proxy;

    /** The response head each path gets; header validation is off on this upstream so it can send anything. */
    static Http2Headers headersFor(String path) {
        Http2Headers h = new DefaultHttp2Headers(false);
        String kase = path.substring(path.lastIndexOf('/') + 1);
        Consumer<Http2Headers> bad = switch (kase) {
            case "status-600" -> x -> x.status("600");
            case "status-099" -> x -> x.status("099");
            case "status-text" -> x -> x.status("abc");
            case "status-101" -> x -> x.status("101");
            case "value-nul" -> x -> x.status("200").add("x-a", "a\0b");
            case "value-crlf" -> x -> x.status("200").add("x-a", "a\r\nset-cookie: s=1");
            case "value-control" -> x -> x.status("200").add("x-a", "a\u0001b");
            case "name-upper" -> x -> x.status("200").add("X-A", "b");
            case "name-space" -> x -> x.status("200").add("x a", "b");
            case "cl-text" -> x -> x.status("200").add("content-length", "abc");
            case "cl-two" -> x -> x.status("200").add("content-length", "2").add("content-length", "3");
            case "cl-longer-than-data" -> x -> x.status("200").add("content-length", "5");
            default -> x -> x.status("200").add("content-length", "2");
        };
        bad.accept(h);
        return h;
    }

    @BeforeAll
    static void start() throws Exception {
        server = new ServerBootstrap().group(LOOPS.group()).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().validateHeaders(false).build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                        stream.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                            @Override
                                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                                if (msg instanceof Http2HeadersFrame req) {
                                                    ctx.write(new DefaultHttp2HeadersFrame(headersFor(req.headers().path().toString())));
                                                    ctx.writeAndFlush(new DefaultHttp2DataFrame(
                                                            Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII), true));
                                                }
                                                ReferenceCountUtil.release(msg);
                                            }
                                        });
                                    }
                                }));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        proxy = ProxyFixture.start("""
                clusters: {h2: {endpoints: [{address: "127.0.0.1:%d"}], protocol: h2c}}
                routes: [{name: h2, match: {pathPrefix: /}, cluster: h2, timeout: 5s}]
                """.formatted(port), Map.of());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        server.close().syncUninterruptibly();
    }

    @Test
    void aBodyShorterThanItsContentLengthIsCutNotCompleted() {
        // The head went out before the DATA broke its promise: the client's connection is cut.
        assertThatThrownBy(() -> proxy.get("/bad/cl-longer-than-data")).isInstanceOf(UncheckedIOException.class);
        assertThat(proxy.get("/ok").body()).isEqualTo("ok");
    }

    @ParameterizedTest
    @ValueSource(strings = {"status-600", "status-099", "status-text", "status-101", "value-nul", "value-crlf",
            "value-control", "name-upper", "name-space", "cl-text", "cl-two"})
    void isA502AndTheNextRequestIsServed(String kase) {
        HttpResponse<String> res = proxy.get("/bad/" + kase);
        assertThat(res.statusCode()).isEqualTo(502);
        assertThat(res.body()).contains("\"error\":\"bad_upstream_response\"");
        assertThat(res.headers().map().keySet()).doesNotContain("x-a", "set-cookie");
        HttpResponse<String> ok = proxy.get("/ok");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("ok");
    }
}
