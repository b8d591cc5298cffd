package io.strait.proxy.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder's messages, compared with Netty's {@link HttpResponseDecoder} on the same bytes: whole, and split
 * at every byte (heads and trailer sections gathered over reads).
 */
class ResponseDecoderTest {

    static Stream<String> valid() {
        return Stream.of(
                "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 204 No Content\r\nX-A:  a b \t\r\n\r\n",
                "HTTP/1.1 404 Not Here\r\ncontent-length: 2\r\nSET-COOKIE: a=1\r\nSet-Cookie: b=2\r\nX-Empty:\r\n\r\nno",
                "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 299 Custom\r\nX-A: caf\u00e9\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b\r\nok\r\n3\r\nabc\r\n0\r\nX-T: t\r\nX-U: u v\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }

    @ParameterizedTest
    @MethodSource("valid")
    void sameMessagesAsNettysDecoderWholeOrByteByByte(String response) {
        List<String> netty = netty(response);
        assertThat(decode(response, Integer.MAX_VALUE, HttpMethod.GET)).isEqualTo(netty);
        assertThat(decode(response, 1, HttpMethod.GET)).isEqualTo(netty);
        assertThat(decode(response, 7, HttpMethod.GET)).isEqualTo(netty);
    }

    /**
     * Random valid responses (heads of up to a few KiB, so fields cross the scanner's 512-byte windows and the reads;
     * names in any case, values with OWS and obs-text; Content-Length or chunked bodies with extensions and trailers;
     * interim 1xx heads) split into random reads: the same messages as Netty's decoder on the whole response.
     */
    @Test
    void randomResponsesInRandomPiecesDecodeAsNettysDecoderDoes() {
        java.util.Random rnd = new java.util.Random(20261206);
        for (int n = 0; n < 300; n++) {
            String response = randomResponse(rnd);
            List<String> expected = netty(response);
            List<String> got = decodeInRandomPieces(response, rnd);
            assertThat(got).as("case %d: %s", n, response).isEqualTo(expected);
        }
    }

    private static String randomResponse(java.util.Random rnd) {
        StringBuilder sb = new StringBuilder();
        if (rnd.nextInt(5) == 0) sb.append("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");
        int[] codes = {200, 201, 204, 301, 404, 500, 299};
        int code = codes[rnd.nextInt(codes.length)];
        sb.append(rnd.nextBoolean() ? "HTTP/1.1 " : "HTTP/1.0 ").append(code);
        sb.append(switch (rnd.nextInt(3)) {
            case 0 -> " " + io.netty.handler.codec.http.HttpResponseStatus.valueOf(code).reasonPhrase();
            case 1 -> " Some Reason\u00e9";
            default -> "";
        }).append("\r\n");
        String[] names = {"Content-Type", "content-type", "Server", "Date", "X-Custom-Header", "Set-Cookie", "ETag", "Vary", "x"};
        for (int i = rnd.nextInt(40); i > 0; i--) {
            String name = rnd.nextInt(4) == 0 ? "X-" + "n".repeat(1 + rnd.nextInt(60)) + i : names[rnd.nextInt(names.length)];
            StringBuilder value = new StringBuilder();
            String alphabet = "abc def\t\u00e9,;=/";
            for (int k = rnd.nextInt(300); k > 0; k--) value.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            sb.append(name).append(':').append(" ".repeat(rnd.nextInt(3))).append(value.toString().strip())
                    .append(rnd.nextBoolean() ? " " : "").append("\r\n");
        }
        boolean bodiless = code == 204;
        String body = "b".repeat(rnd.nextInt(3000));
        if (!bodiless && rnd.nextBoolean() && !sb.toString().contains("HTTP/1.0 ")) {
            sb.append("Transfer-Encoding: chunked\r\n\r\n");
            for (int at = 0; at < body.length(); ) {
                int len = Math.min(body.length() - at, 1 + rnd.nextInt(700));
                sb.append(Integer.toHexString(len)).append(rnd.nextInt(4) == 0 ? ";ext=1" : "").append("\r\n");
                sb.append(body, at, at + len).append("\r\n");
                at += len;
            }
            sb.append("0\r\n");
            for (int t = rnd.nextInt(3); t > 0; t--) sb.append("X-Trailer-").append(t).append(": t").append(t).append("\r\n");
            sb.append("\r\n");
        } else {
            if (bodiless) body = "";
            sb.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
        }
        return sb.toString();
    }

    private static List<String> decodeInRandomPieces(String response, java.util.Random rnd) {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        byte[] b = response.getBytes(StandardCharsets.ISO_8859_1);
        for (int from = 0; from < b.length; ) {
            int len = Math.min(b.length - from, 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 900));
            ch.writeInbound(Unpooled.copiedBuffer(b, from, len));
            from += len;
        }
        List<String> got = merge(drain(ch));
        assertThat(ch.finishAndReleaseAll()).isFalse();
        return got;
    }

    @Test
    void aHeadResponseEndsAfterItsHead() {
        assertThat(decode("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 1, HttpMethod.HEAD))
                .containsExactly("head 200 OK HTTP/1.1 [Content-Length=5]", "body ", "end []");
    }

    @Test
    void aBodyWithoutALengthEndsWithTheConnection() {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\n\r\nsome"));
        ch.writeInbound(bytes(" more"));
        ch.finish(); // the upstream closes
        assertThat(drain(ch)).containsExactly("head 200 OK HTTP/1.1 []", "content:some", "content: more", "last:|[]");
    }

    @Test
    void aConnectionClosedInTheMiddleOfAHeadMakesNoMessage() {
        EmbeddedChannel ch = channel(HttpMethod.GET);
        ch.writeInbound(bytes("HTTP/1.1 200 OK\r\nContent-Le"));
        ch.finish(); // the upstream closes: the connection's close is the exchange's answer (a reset)
        assertThat(drain(ch)).isEmpty();
    }

    @Test
    void aHeadTooLargeIsRefusedEvenWhenItArrivesInPieces() {
        String big = "HTTP/1.1 200 OK\r\nX-A: " + "b".repeat(70_000) + "\r\nContent-Length: 2\r\n\r\nok";
        for (int piece : new int[] {1024, Integer.MAX_VALUE}) {
            EmbeddedChannel ch = channel(HttpMethod.GET);
            List<Object> events = new ArrayList<>();
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    events.add(evt);
                }
            });
            write(ch, big, piece);
            assertThat(drain(ch)).isEmpty();
            assertThat(events).containsExactly(new ResponseDecoder.Rejected("response head too large"));
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void bytesAfterA101PassThroughRaw() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ResponseDecoder d = new ResponseDecoder();
        ch.pipeline().addLast(d);
        DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws");
        req.headers().set("upgrade", "websocket");
        d.requestSent(req);
        ch.writeInbound(bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi"));
        ch.writeInbound(bytes("xyz"));
        assertThat(drain(ch)).containsExactly("head 101 Switching Protocols HTTP/1.1 [Upgrade=websocket, Connection=Upgrade]",
                "last:|[]", "raw:\u0081\u0002hi", "raw:xyz");
        ch.finishAndReleaseAll();
    }

    private static EmbeddedChannel channel(HttpMethod method) {
        ResponseDecoder d = new ResponseDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(d);
        d.requestSent(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        return ch;
    }

    private static List<String> decode(String response, int piece, HttpMethod method) {
        EmbeddedChannel ch = channel(method);
        write(ch, response, piece);
        List<String> got = merge(drain(ch));
        assertThat(ch.finishAndReleaseAll()).isFalse();
        return got;
    }

    private static void write(EmbeddedChannel ch, String response, int piece) {
        byte[] b = response.getBytes(StandardCharsets.ISO_8859_1);
        for (int from = 0; from < b.length; from += piece) {
            ch.writeInbound(Unpooled.copiedBuffer(b, from, Math.min(piece, b.length - from)));
        }
    }

    private static List<String> netty(String response) {
        // as the upstream codec was configured before ResponseDecoder replaced it
        EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseDecoder(new io.netty.handler.codec.http.HttpDecoderConfig()
                .setMaxInitialLineLength(4096).setMaxHeaderSize(64 * 1024).setValidateHeaders(false)
                .setStrictLineParsing(true).setUseRfc9112TransferEncoding(true)));
        ch.writeInbound(bytes(response));
        List<String> got = merge(drain(ch));
        ch.finishAndReleaseAll();
        return got;
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Each message as text; releases them. */
    private static List<String> drain(EmbeddedChannel ch) {
        List<String> got = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            try {
                got.add(describe(m));
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
        return got;
    }

    private static String describe(Object m) {
        if (m instanceof HttpResponse r) {
            assertThat(((HttpObject) m).decoderResult().isSuccess()).isTrue();
            return "head " + r.status().code() + " " + r.status().reasonPhrase() + " " + r.protocolVersion() + " "
                    + r.headers().entries();
        }
        if (m instanceof LastHttpContent l) {
            return "last:" + text(l.content()) + "|" + l.trailingHeaders().entries();
        }
        if (m instanceof HttpContent c) return "content:" + text(c.content());
        return "raw:" + text((ByteBuf) m);
    }

    private static String text(ByteBuf b) {
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Body pieces joined (their split depends on the reads): "body TEXT" then "end TRAILERS", so that a last piece
     * with bytes and an empty end after the bytes compare equal.
     */
    private static List<String> merge(List<String> described) {
        List<String> out = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String d : described) {
            if (d.startsWith("content:")) {
                body.append(d.substring(8));
            } else if (d.startsWith("last:")) {
                int bar = d.indexOf('|');
                body.append(d, 5, bar);
                out.add("body " + body);
                out.add("end " + d.substring(bar + 1));
                body.setLength(0);
            } else {
                out.add(d);
            }
        }
        return out;
    }
}
