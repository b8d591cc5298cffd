package io.strait.proxy.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.PathPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An HTTP/1.1 downstream pipeline on an EmbeddedChannel: guard, real codec, validator, and a capture. */
final class Http1Harness implements AutoCloseable {
    /** The limits the corpus assumes (see its header). */
    static final ListenerConfig LISTENER = new ListenerConfig("test", new HostPort("127.0.0.1", 0),
            EnumSet.allOf(ListenerConfig.Protocol.class), 256, 1024, 20, 1_000_000,
            Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(60), 0, PathPolicy.DEFAULT);

    final EmbeddedChannel channel;
    final Capture capture = new Capture();

    Http1Harness() {
        this(LISTENER);
    }

    Http1Harness(ListenerConfig l) {
        channel = new EmbeddedChannel(RequestValidator.newGuard(l),
                new HttpServerCodec(RequestValidator.decoderConfig(l)),
                new RequestValidator(l, false), capture);
    }

    void send(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        channel.runPendingTasks();
    }

    void send(String ascii) {
        send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Feeds one byte per read until the channel closes. */
    void sendByteByByte(byte[] bytes) {
        for (byte b : bytes) {
            if (!channel.isOpen()) return;
            send(new byte[] {b});
        }
    }

    /** Everything written to the client so far, parsed into responses. */
    List<Response> responses() {
        StringBuilder sb = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) o;
            sb.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return Response.parseAll(sb.toString());
    }

    @Override
    public void close() {
        capture.releaseAll();
        channel.finishAndReleaseAll();
    }

    /** A response as the client sees it. */
    record Response(int status, Map<String, String> headers, String body) {
        static List<Response> parseAll(String s) {
            List<Response> out = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                int headEnd = s.indexOf("\r\n\r\n", i);
                if (headEnd < 0) throw new AssertionError("incomplete response: " + s.substring(i));
                String[] lines = s.substring(i, headEnd).split("\r\n");
                int status = Integer.parseInt(lines[0].split(" ")[1]);
                Map<String, String> headers = new LinkedHashMap<>();
                for (int k = 1; k < lines.length; k++) {
                    int colon = lines[k].indexOf(':');
                    headers.put(lines[k].substring(0, colon).toLowerCase(Locale.ROOT),
                            lines[k].substring(colon + 1).trim());
                }
                int bodyStart = headEnd + 4;
                int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                out.add(new Response(status, headers, s.substring(bodyStart, bodyStart + len)));
                i = bodyStart + len;
            }
            return out;
        }
    }

    /** Stands in for FlowControlHandler + ProxyHandler: keeps what reaches it (shared by h2 streams in tests). */
    @ChannelHandler.Sharable
    static final class Capture extends ChannelInboundHandlerAdapter {
        final List<Object> messages = new ArrayList<>();
        final List<Object> events = new ArrayList<>();
        final List<Throwable> exceptions = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages.add(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }

        List<HttpRequest> requests() {
            return messages.stream().filter(HttpRequest.class::isInstance).map(HttpRequest.class::cast).toList();
        }

        /** The body bytes received, concatenated. */
        String body() {
            StringBuilder sb = new StringBuilder();
            for (Object m : messages) {
                if (m instanceof HttpContent c) sb.append(c.content().toString(StandardCharsets.ISO_8859_1));
            }
            return sb.toString();
        }

        long lastContents() {
            return messages.stream().filter(LastHttpContent.class::isInstance).count();
        }

        void releaseAll() {
            messages.forEach(ReferenceCountUtil::release);
            messages.clear();
        }
    }
}
