package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.strait.proxy.listener.Http1Harness.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Valid requests pass unchanged; pipelining, split heads and body errors behave as the contract says. */
class RequestValidatorHttp1Test {
    private static final String CHUNKED_POST = "POST /upload?x=1 HTTP/1.1\r\nHost: api.example\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n6;name=value; n2=\"q\"\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
    private static final String CL_POST = "POST /p HTTP/1.1\r\nHost: api.example\r\nContent-Length: 7\r\n\r\npayload";
    private static final String GET = "GET /a/b?c=d HTTP/1.1\r\nHost: api.example:8080\r\nAccept: */*\r\n\r\n";

    @Test
    void simpleGetPassesUnchanged() {
        try (Http1Harness h = new Http1Harness()) {
            h.send(GET);
            HttpRequest req = single(h);
            assertThat(req.method()).isEqualTo(HttpMethod.GET);
            assertThat(req.uri()).isEqualTo("/a/b?c=d");
            assertThat(req.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
            assertThat(req.headers().get(HttpHeaderNames.HOST)).isEqualTo("api.example:8080");
            assertThat(req.headers().get(HttpHeaderNames.ACCEPT)).isEqualTo("*/*");
            assertThat(h.capture.messages.get(1)).isInstanceOf(LastHttpContent.class);
            assertNothingWritten(h);
        }
    }

    @Test
    void contentLengthBodyPasses() {
        try (Http1Harness h = new Http1Harness()) {
            h.send(CL_POST);
            assertThat(single(h).headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("7");
            assertThat(h.capture.body()).isEqualTo("payload");
            assertThat(h.capture.lastContents()).isEqualTo(1);
            assertNothingWritten(h);
        }
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailersPasses() {
        try (Http1Harness h = new Http1Harness()) {
            h.send(CHUNKED_POST);
            assertThat(single(h).uri()).isEqualTo("/upload?x=1");
            assertThat(h.capture.body()).isEqualTo("hello world");
            LastHttpContent last = (LastHttpContent) h.capture.messages.get(h.capture.messages.size() - 1);
            assertThat(last.trailingHeaders().get("X-Trailer")).isEqualTo("t");
            assertNothingWritten(h);
        }
    }

    @Test
    void pipelinedRequestsInOneReadAllPass() {
        try (Http1Harness h = new Http1Harness()) {
            h.send(CHUNKED_POST + CL_POST + GET);
            assertThat(h.capture.requests()).extracting(HttpRequest::uri)
                    .containsExactly("/upload?x=1", "/p", "/a/b?c=d");
            assertThat(h.capture.body()).isEqualTo("hello worldpayload");
            assertThat(h.capture.lastContents()).isEqualTo(3);
            assertNothingWritten(h);
        }
    }

    @Test
    void headsAndBodiesSplitByteByByteAllPass() {
        try (Http1Harness h = new Http1Harness()) {
            h.sendByteByByte((CHUNKED_POST + CL_POST + GET).getBytes(StandardCharsets.ISO_8859_1));
            assertThat(h.capture.requests()).extracting(HttpRequest::uri)
                    .containsExactly("/upload?x=1", "/p", "/a/b?c=d");
            assertThat(h.capture.body()).isEqualTo("hello worldpayload");
            assertThat(h.capture.lastContents()).isEqualTo(3);
            assertNothingWritten(h);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.0\r\n\r\n",                                             // HTTP/1.0 needs no Host
        "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",                          // RFC 9112 2.2 leading CRLFs
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nhOsT: a.example\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: 10.0.0.1:80\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: my_host.internal~x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-A:\r\nX-B:\tv \t\r\nX-C: caf\u00e9\r\n\r\n", // empty, OWS, obs-text
        "GET /p?q=a|b{c}^`\"'<> HTTP/1.1\r\nHost: a\r\n\r\n",                 // visible ASCII commonly sent raw
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked \r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  0 \r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 3\r\n\r\nabc",
        "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n000A\r\n0123456789\r\n0\r\n\r\n",
    })
    void validVariantsPass(String raw) {
        try (Http1Harness h = new Http1Harness()) {
            h.send(raw);
            assertThat(h.capture.requests()).hasSize(1);
            assertThat(h.capture.lastContents()).isEqualTo(1);
            assertThat(h.capture.events).isEmpty();
            assertNothingWritten(h);
        }
    }

    @Test
    void absoluteFormIsRewrittenToOriginFormWithHostFromTheUri() {
        try (Http1Harness h = new Http1Harness()) {
            h.send("GET http://a.example:8080/x/y?z=1 HTTP/1.1\r\nHost: ignored.example\r\n\r\n"
                    + "GET HTTPS://b.example HTTP/1.1\r\nHost: b.example\r\n\r\n"
                    + "GET http://c.example?q HTTP/1.1\r\nHost: c.example\r\n\r\n");
            List<HttpRequest> reqs = h.capture.requests();
            assertThat(reqs).extracting(HttpRequest::uri).containsExactly("/x/y?z=1", "/", "/?q");
            assertThat(reqs).extracting(r -> r.headers().getAll(HttpHeaderNames.HOST))
                    .containsExactly(List.of("a.example:8080"), List.of("b.example"), List.of("c.example"));
            assertNothingWritten(h);
        }
    }

    @Test
    void badRequestAfterAPipelinedOneIsAnsweredOnlyAfterTheFirstResponse() {
        try (Http1Harness h = new Http1Harness()) {
            h.send(CL_POST + "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n");
            assertThat(h.capture.requests()).extracting(HttpRequest::uri).containsExactly("/p");
            assertThat(h.channel.isOpen()).isTrue();
            assertNothingWritten(h);

            // the proxy handler answers the first request, in parts
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
            h.channel.writeOutbound(head);
            h.channel.writeOutbound(new DefaultHttpContent(Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII)));
            assertThat(h.channel.isOpen()).isTrue();
            h.channel.writeOutbound(new DefaultLastHttpContent());
            h.channel.runPendingTasks();

            List<Response> responses = h.responses();
            assertThat(responses).extracting(Response::status).containsExactly(200, 400);
            assertThat(responses.get(0).body()).isEqualTo("ok");
            Http1CorpusTest.assertRefusal(responses.get(1), 400);
            assertThat(h.channel.isOpen()).isFalse();
            assertThat(h.capture.requests()).hasSize(1);
        }
    }

    @Test
    void interimResponsesDoNotReleaseADeferredAnswer() {
        try (Http1Harness h = new Http1Harness()) {
            h.send(CL_POST + "GET / HTTP/1.1\r\n\r\n"); // second: missing Host
            h.channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            assertThat(h.responses()).extracting(Response::status).containsExactly(100);
            assertThat(h.channel.isOpen()).isTrue();

            FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
            h.channel.writeOutbound(ok);
            h.channel.runPendingTasks();
            assertThat(h.responses()).extracting(Response::status).containsExactly(204, 400);
            assertThat(h.channel.isOpen()).isFalse();
        }
    }

    @Test
    void chunkErrorAfterTheHeadPassedBecomesABodyError() {
        try (Http1Harness h = new Http1Harness()) {
            h.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
            h.send("lo\r\n0x10\r\n");
            h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"); // swallowed

            assertThat(h.capture.requests()).hasSize(1);
            assertThat(h.capture.body()).isEqualTo("hello");
            assertThat(h.capture.lastContents()).isZero();
            assertThat(h.capture.events).singleElement().isEqualTo(new RequestValidator.BodyError(
                    HttpResponseStatus.BAD_REQUEST, "bad_request", "invalid chunk size"));
            assertNothingWritten(h);
        }
    }

    @Test
    void aBadRequestInTheSameReadIsWithheldEvenWhenItsHeadIsValid() {
        try (Http1Harness h = new Http1Harness()) {
            h.send(GET + "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n");
            assertThat(h.capture.requests()).extracting(HttpRequest::uri).containsExactly("/a/b?c=d");
            assertThat(h.capture.events).isEmpty();
            assertThat(h.channel.isOpen()).isTrue(); // waits for the first response
        }
    }

    @Test
    void headRequestsAreRefusedWithoutABody() {
        try (Http1Harness h = new Http1Harness()) {
            h.send("HEAD / HTTP/1.1\r\n\r\n");
            String raw = rawOutbound(h);
            assertThat(raw).startsWith("HTTP/1.1 400 Bad Request\r\n").endsWith("\r\n\r\n");
            assertThat(h.channel.isOpen()).isFalse();
        }
    }

    @Test
    void contentLengthAtTheBodyLimitPasses() {
        try (Http1Harness h = new Http1Harness()) {
            h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n");
            assertThat(h.capture.requests()).hasSize(1);
            assertNothingWritten(h);
        }
    }

    @Test
    void guardPassesTheSameBufferOnWithoutCopying() {
        List<Object> seen = new java.util.ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(RequestValidator.newGuard(Http1Harness.LISTENER),
                new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        seen.add(msg);
                    }
                });
        ByteBuf head = Unpooled.copiedBuffer("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234",
                StandardCharsets.US_ASCII);
        ByteBuf body = Unpooled.copiedBuffer("56789", StandardCharsets.US_ASCII);
        ch.writeInbound(head);
        ch.writeInbound(body);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isSameAs(head);
        assertThat(seen.get(1)).isSameAs(body);
        assertThat(body.readerIndex()).isZero();
        seen.forEach(io.netty.util.ReferenceCountUtil::release);
        ch.finishAndReleaseAll();
    }

    @Test
    void decoderConfigIsStrict() {
        var c = RequestValidator.decoderConfig(Http1Harness.LISTENER);
        assertThat(c.getMaxInitialLineLength()).isEqualTo(256);
        assertThat(c.getMaxHeaderSize()).isEqualTo(1024);
        assertThat(c.isStrictLineParsing()).isTrue();
        assertThat(c.isUseRfc9112TransferEncoding()).isTrue();
        assertThat(c.isAllowDuplicateContentLengths()).isFalse();
        // Names and values are checked by RawRequestGuard before the decoder (the corpus tests prove it), so
        // the decoder's own per-header check is off.
        assertThat(c.getHeadersFactory()).isInstanceOfSatisfying(
                io.netty.handler.codec.http.DefaultHttpHeadersFactory.class,
                f -> assertThat(f.isValidatingHeaderNames() || f.isValidatingHeaderValues()).isFalse());
    }

    private static HttpRequest single(Http1Harness h) {
        assertThat(h.capture.requests()).hasSize(1);
        assertThat(h.capture.events).isEmpty();
        return h.capture.requests().get(0);
    }

    private static void assertNothingWritten(Http1Harness h) {
        assertThat(rawOutbound(h)).isEmpty();
        assertThat(h.capture.exceptions).isEmpty();
    }

    private static String rawOutbound(Http1Harness h) {
        StringBuilder sb = new StringBuilder();
        for (Object o; (o = h.channel.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }
}
