package io.strait.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 codecs pair each response with its request's method, as Netty's codecs do. */
class Http1CodecTest {

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static String outbound(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    private static List<Object> inbound(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) out.add(o);
        return out;
    }

    private static DefaultFullHttpResponse okWithBody(String body) {
        DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, ascii(body));
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return res;
    }

    // ---------------------------------------------------------------- server

    @Test
    void serverAnswersPipelinedGetHeadGetWithBodiesOnlyWhereTheMethodAllowsThem() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ServerCodec(new HttpDecoderConfig()));
        ch.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n"));
        List<Object> in = inbound(ch);
        assertThat(in.stream().filter(o -> o instanceof HttpRequest).map(o -> ((HttpRequest) o).method()))
                .containsExactly(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.GET);
        in.forEach(ReferenceCountUtil::release);

        ch.writeOutbound(okWithBody("one"), okWithBody("two"), okWithBody("three"));
        assertThat(outbound(ch)).isEqualTo(
                "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\none"
                        + "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n" // HEAD: headers only
                        + "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nthree");
        ch.finishAndReleaseAll();
    }

    @Test
    void serverInterimResponsesDoNotUseUpTheRequestTheyPrecede() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ServerCodec(new HttpDecoderConfig()));
        ch.writeInbound(ascii("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
        inbound(ch).forEach(ReferenceCountUtil::release);
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER),
                okWithBody("head"), okWithBody("body"));
        assertThat(outbound(ch)).isEqualTo(
                "HTTP/1.1 100 Continue\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n" // still the HEAD's answer
                        + "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody");
        ch.finishAndReleaseAll();
    }

    @Test
    void serverStripsTransferEncodingFromASuccessfulConnectAnswer() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ServerCodec(new HttpDecoderConfig()));
        ch.writeInbound(ascii("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
        inbound(ch).forEach(ReferenceCountUtil::release);
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        ch.writeOutbound(res);
        assertThat(outbound(ch)).isEqualTo("HTTP/1.1 200 OK\r\n\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void serverWritesHeadersThroughHeaderBlock() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ServerCodec(new HttpDecoderConfig()));
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        inbound(ch).forEach(ReferenceCountUtil::release);
        DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER, new DefaultHttpHeaders(false), new DefaultHttpHeaders(false));
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        res.headers().add("X-Bad", "a\r\nInjected: 1"); // a header map without validation, as the proxy's are
        ch.writeOutbound(res);
        assertThat(outbound(ch)).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nX-Bad: a  Injected: 1\r\n\r\n");
        ch.finishAndReleaseAll();
    }

    // ---------------------------------------------------------------- client

    private static EmbeddedChannel client() {
        return new EmbeddedChannel(new Http1ClientCodec(new HttpDecoderConfig().setValidateHeaders(false)));
    }

    private static HttpRequest request(HttpMethod method, String uri) {
        HttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        req.headers().set(HttpHeaderNames.HOST, "up");
        return req;
    }

    @Test
    void clientEncodesTheRequestHead() {
        EmbeddedChannel ch = client();
        HttpRequest req = request(HttpMethod.GET, "/path?q=1");
        req.headers().add("X-Forwarded-For", "10.0.0.1");
        ch.writeOutbound(req);
        assertThat(outbound(ch)).isEqualTo("GET /path?q=1 HTTP/1.1\r\nhost: up\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void clientReadsAResponseToHeadAsBodilessWhateverItsLength() {
        EmbeddedChannel ch = client();
        ch.writeOutbound(request(HttpMethod.HEAD, "/a"), request(HttpMethod.GET, "/b"));
        outbound(ch);
        ch.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
        List<Object> in = inbound(ch);
        // HEAD: head + empty last content; GET: head + "hi" + last
        assertThat(in.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(in.get(1)).isInstanceOf(LastHttpContent.class);
        assertThat(((HttpContent) in.get(1)).content().readableBytes()).isZero();
        assertThat(in.get(2)).isInstanceOf(HttpResponse.class);
        StringBuilder body = new StringBuilder();
        for (Object o : in.subList(3, in.size())) body.append(((HttpContent) o).content().toString(StandardCharsets.US_ASCII));
        assertThat(body.toString()).isEqualTo("hi");
        assertThat(in.get(in.size() - 1)).isInstanceOf(LastHttpContent.class);
        in.forEach(ReferenceCountUtil::release);
        ch.finishAndReleaseAll();
    }

    @Test
    void clientInterimResponsesDoNotUseUpTheRequest() {
        EmbeddedChannel ch = client();
        ch.writeOutbound(request(HttpMethod.HEAD, "/a"));
        outbound(ch);
        ch.writeInbound(ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
        List<Object> in = inbound(ch);
        assertThat(in).hasSize(4); // 100 + its end, 200 + its (empty) end: the 200 is still the HEAD's
        assertThat(((HttpResponse) in.get(2)).status().code()).isEqualTo(200);
        assertThat(in.get(3)).isInstanceOf(LastHttpContent.class);
        in.forEach(ReferenceCountUtil::release);
        ch.finishAndReleaseAll();
    }

    @Test
    void clientPassesRawBytesBothWaysAfterASuccessfulConnect() {
        EmbeddedChannel ch = client();
        ch.writeOutbound(request(HttpMethod.CONNECT, "example.com:443"));
        outbound(ch);
        ch.writeInbound(ascii("HTTP/1.1 200 Connection established\r\n\r\n"));
        inbound(ch).forEach(ReferenceCountUtil::release);
        ch.writeInbound(ascii("GET /not-http-anymore HTTP/1.1\r\n\r\n"));
        List<Object> in = inbound(ch);
        assertThat(in).hasSize(1).first().isInstanceOf(ByteBuf.class);
        assertThat(((ByteBuf) in.get(0)).toString(StandardCharsets.US_ASCII)).isEqualTo("GET /not-http-anymore HTTP/1.1\r\n\r\n");
        in.forEach(ReferenceCountUtil::release);
        ch.writeOutbound(ascii("raw"));
        assertThat(outbound(ch)).isEqualTo("raw");
        ch.finishAndReleaseAll();
    }
}
