package io.strait.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.strait.config.model.ListenerConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Netty HTTP/2 server connection (frame codec + multiplexer, default header validation) on an
 * EmbeddedChannel, each stream running {@code Http2StreamFrameToHttpObjectCodec -> RequestValidator(h2) ->
 * capture}. The client side is hand-written frames with literal HPACK, so it can send what a client encoder
 * would refuse to.
 */
final class Http2Harness implements AutoCloseable {
    private static final int HEADERS = 0x1;
    private static final int DATA = 0x0;
    private static final int SETTINGS = 0x4;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;

    final EmbeddedChannel channel;
    final Http1Harness.Capture capture = new Http1Harness.Capture();
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
    final List<Frame> frames = new ArrayList<>();
    /** The frame reader wants a context (for its allocator); a spare channel's will do. */
    private final EmbeddedChannel readerChannel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());

    /** What the server sent on a stream. */
    record Frame(String type, int streamId, Http2Headers headers, String data, long errorCode) {}

    Http2Harness(ListenerConfig l) {
        channel = new EmbeddedChannel(Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                new RequestValidator(l, true), capture);
                    }
                }));
        ByteBuf start = Unpooled.buffer();
        start.writeBytes(Http2CodecUtil.connectionPrefaceBuf());
        frame(start, SETTINGS, 0, 0, new byte[0]);
        channel.writeInbound(start);
    }

    /** Sends one HEADERS frame on {@code streamId}; {@code fields} alternate names and values. */
    void headers(int streamId, boolean endStream, String... fields) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        for (int i = 0; i < fields.length; i += 2) {
            block.write(0x00); // literal header field without indexing, new name (RFC 7541 6.2.2)
            string(block, fields[i]);
            string(block, fields[i + 1]);
        }
        ByteBuf buf = Unpooled.buffer();
        frame(buf, HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, block.toByteArray());
        send(buf);
    }

    void data(int streamId, boolean endStream, String payload) {
        ByteBuf buf = Unpooled.buffer();
        frame(buf, DATA, endStream ? END_STREAM : 0, streamId, payload.getBytes(StandardCharsets.ISO_8859_1));
        send(buf);
    }

    private void send(ByteBuf buf) {
        channel.writeInbound(buf);
        channel.runPendingTasks();
        readServerFrames();
    }

    /** Frames the server sent on a request stream (stream 0 frames are skipped). */
    List<Frame> streamFrames(int streamId) {
        readServerFrames();
        return frames.stream().filter(f -> f.streamId() == streamId).toList();
    }

    private void readServerFrames() {
        channel.runPendingTasks();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) o;
            try {
                reader.readFrame(readerChannel.pipeline().firstContext(), buf, new Http2FrameAdapter() {
                    @Override
                    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                                              int padding, boolean endOfStream) {
                        frames.add(new Frame("HEADERS", streamId, headers, null, 0));
                    }

                    @Override
                    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                                              int streamDependency, short weight, boolean exclusive,
                                              int padding, boolean endOfStream) {
                        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
                    }

                    @Override
                    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                                          boolean endOfStream) {
                        frames.add(new Frame("DATA", streamId, null,
                                data.toString(StandardCharsets.UTF_8), 0));
                        return data.readableBytes() + padding;
                    }

                    @Override
                    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
                        frames.add(new Frame("RST_STREAM", streamId, null, null, errorCode));
                    }
                });
            } catch (Http2Exception e) {
                throw new AssertionError(e);
            } finally {
                buf.release();
            }
        }
    }

    @Override
    public void close() {
        capture.releaseAll();
        channel.finishAndReleaseAll();
        reader.close();
        readerChannel.finishAndReleaseAll();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        integer(out, b.length); // H = 0: no Huffman
        out.writeBytes(b);
    }

    /** RFC 7541 5.1 integer with a 7-bit prefix. */
    private static void integer(ByteArrayOutputStream out, int v) {
        if (v < 127) {
            out.write(v);
            return;
        }
        out.write(127);
        v -= 127;
        while (v >= 128) {
            out.write(v % 128 + 128);
            v /= 128;
        }
        out.write(v);
    }

    private static void frame(ByteBuf buf, int type, int flags, int streamId, byte[] payload) {
        buf.writeMedium(payload.length);
        buf.writeByte(type);
        buf.writeByte(flags);
        buf.writeInt(streamId);
        buf.writeBytes(payload);
    }
}
