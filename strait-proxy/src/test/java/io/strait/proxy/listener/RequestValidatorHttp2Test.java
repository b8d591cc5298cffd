package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.strait.proxy.listener.Http2Harness.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP/2 counterparts of the HTTP/1.1 rules, through Netty's real HTTP/2 server codec. "RST" marks what
 * Netty itself refuses by resetting the stream (PROTOCOL_ERROR) before our validator sees a request: an accepted
 * answer, documented in docs/http-hardening.md. Either way nothing reaches the proxy handler. Streams start at 3:
 * Netty's multiplexer takes stream 1 on a channel without a ServerChannel parent for an h2c upgrade stream.
 */
class RequestValidatorHttp2Test {
    private static final String[] BASE = {":method", "GET", ":scheme", "http", ":path", "/x", ":authority", "a.example"};

    static Stream<Arguments> refusals() {
        return Stream.of(
                // framing
                refusal("content-length-not-digits", "400", "content-length", "abc"),
                refusal("content-length-plus-sign", "400", "content-length", "+5"),
                refusal("content-length-list-mismatch", "400", "content-length", "5, 6"),
                refusal("content-length-repeated-mismatch", "400", "content-length", "5", "content-length", "6"),
                refusal("content-length-over-body-limit", "413", "content-length", "2000000"),
                refusal("transfer-encoding", "RST", "transfer-encoding", "chunked"),
                // connection-specific fields (RFC 9113 8.2.2)
                refusal("connection", "RST", "connection", "keep-alive"),
                refusal("keep-alive", "RST", "keep-alive", "timeout=5"),
                refusal("proxy-connection", "RST", "proxy-connection", "keep-alive"),
                refusal("upgrade", "RST", "upgrade", "h2c"),
                refusal("te-gzip", "RST", "te", "gzip"),
                // host / authority
                refusal("host-disagrees-with-authority", "400", "host", "b.example"),
                refusal("authority-with-userinfo", "400", ":authority", "u@a.example"),
                refusal("authority-with-space", "400", ":authority", "a b"),
                refusal("authority-bad-port", "400", ":authority", "a.example:99999"),
                // field syntax
                refusal("control-char-in-value", "RST", "x-a", "a\u0001b"),
                refusal("nul-in-value", "RST", "x-a", "a\u0000b"),
                refusal("cr-lf-in-value", "RST", "x-a", "a\r\nx-b: c"),
                refusal("uppercase-name", "RST", "X-A", "b"),
                refusal("non-token-name", "RST", "x(a)", "b"),
                refusal("space-in-name", "RST", "x a", "b"),
                refusal("too-many-fields", "431", manyFields(25)),
                // request target and method
                refusal("path-without-slash", "400", ":path", "x"),
                refusal("path-with-fragment", "400", ":path", "/x#y"),
                refusal("path-with-space", "400", ":path", "/x y"),
                refusal("path-with-control-char", "RST", ":path", "/x\u0001"),
                refusal("path-with-raw-non-ascii", "400", ":path", "/caf\u00e9"),
                refusal("asterisk-without-options", "400", ":path", "*"),
                refusal("invalid-method", "400", ":method", "G(T"),
                refusal("missing-authority-and-host", "400", ":authority", null));
    }

    /** The request head ends the stream or announces a body: the answer must be the same. */
    @ParameterizedTest(name = "{0} endStream={3}")
    @MethodSource("refusalsBothWays")
    void refused(String name, String expected, String[] fields, boolean endStream) {
        try (Http2Harness h = new Http2Harness(Http1Harness.LISTENER)) {
            h.headers(3, endStream, fields);
            List<Frame> frames = h.streamFrames(3);
            assertThat(h.capture.messages).as("nothing forwarded").isEmpty();
            assertThat(h.capture.events).isEmpty();
            if (expected.equals("RST")) {
                assertThat(frames).extracting(Frame::type).containsExactly("RST_STREAM");
                assertThat(frames.get(0).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            } else {
                assertThat(frames).extracting(Frame::type).startsWith("HEADERS", "DATA");
                assertThat(frames.get(0).headers().status().toString()).isEqualTo(expected);
                assertThat(frames.get(0).headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
                assertThat(frames.get(1).data()).startsWith("{\"error\":\"");
            }
            assertThat(h.channel.isOpen()).as("only the stream is refused").isTrue();
        }
    }

    static Stream<Arguments> refusalsBothWays() {
        return refusals().flatMap(a -> {
            Object[] v = a.get();
            // With endStream, a content-length > 0 is itself a mismatch Netty reports first: skip that pairing.
            boolean bodyOnly = v[0].equals("content-length-over-body-limit");
            return bodyOnly ? Stream.of(Arguments.of(v[0], v[1], v[2], false))
                    : Stream.of(Arguments.of(v[0], v[1], v[2], true), Arguments.of(v[0], v[1], v[2], false));
        });
    }

    @Test
    void connectIsNotAllowed() {
        try (Http2Harness h = new Http2Harness(Http1Harness.LISTENER)) {
            h.headers(3, true, ":method", "CONNECT", ":authority", "a.example:443");
            List<Frame> frames = h.streamFrames(3);
            assertThat(frames.get(0).headers().status().toString()).isEqualTo("405");
            assertThat(frames.get(1).data()).startsWith("{\"error\":\"method_not_allowed\"");
            assertThat(h.capture.messages).isEmpty();
        }
    }

    @Test
    void validGetPassesWithHostFromAuthority() {
        try (Http2Harness h = new Http2Harness(Http1Harness.LISTENER)) {
            h.headers(3, true, ":method", "GET", ":scheme", "https", ":path", "/x?y=1", ":authority", "a.example",
                    "te", "trailers", "accept", "*/*");
            assertThat(h.streamFrames(3)).isEmpty();
            assertThat(h.capture.messages).singleElement().isInstanceOfSatisfying(FullHttpRequest.class, r -> {
                assertThat(r.uri()).isEqualTo("/x?y=1");
                assertThat(r.headers().get(HttpHeaderNames.HOST)).isEqualTo("a.example");
                assertThat(r.headers().get(HttpHeaderNames.ACCEPT)).isEqualTo("*/*");
            });
        }
    }

    @Test
    void bodyWithAndWithoutContentLengthPasses() {
        try (Http2Harness h = new Http2Harness(Http1Harness.LISTENER)) {
            h.headers(3, false, ":method", "POST", ":scheme", "http", ":path", "/a", ":authority", "a.example",
                    "content-length", "5");
            h.data(3, true, "hello");
            h.headers(5, false, ":method", "POST", ":scheme", "http", ":path", "/b", ":authority", "a.example");
            h.data(5, false, "par");
            h.data(5, true, "ts");
            assertThat(h.streamFrames(3)).isEmpty();
            assertThat(h.streamFrames(5)).isEmpty();
            assertThat(h.capture.requests()).extracting(HttpRequest::uri).containsExactly("/a", "/b");
            assertThat(h.capture.body()).isEqualTo("helloparts");
            assertThat(h.capture.lastContents()).isEqualTo(2);
            assertThat(h.capture.events).isEmpty();
        }
    }

    @Test
    void hostEqualToAuthorityPasses() {
        try (Http2Harness h = new Http2Harness(Http1Harness.LISTENER)) {
            h.headers(3, true, ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "a.example",
                    "host", "a.example");
            assertThat(h.capture.requests()).singleElement()
                    .satisfies(r -> assertThat(r.headers().getAll(HttpHeaderNames.HOST)).containsExactly("a.example"));
        }
    }

    @Test
    void contentLengthMismatchAfterTheHeadPassedIsABodyErrorAndAReset() {
        try (Http2Harness h = new Http2Harness(Http1Harness.LISTENER)) {
            h.headers(3, false, ":method", "POST", ":scheme", "http", ":path", "/a", ":authority", "a.example",
                    "content-length", "5");
            h.data(3, true, "abc");
            assertThat(h.capture.requests()).hasSize(1);
            assertThat(h.capture.messages).noneMatch(LastHttpContent.class::isInstance);
            assertThat(h.capture.events).singleElement().isInstanceOf(RequestValidator.BodyError.class);
            assertThat(h.streamFrames(3)).extracting(Frame::type).containsExactly("RST_STREAM");
        }
    }

    private static Arguments refusal(String name, String expected, String... override) {
        List<String> fields = new ArrayList<>(List.of(BASE));
        for (int i = 0; i < override.length; i += 2) {
            String n = override[i];
            String v = override[i + 1];
            int at = fields.indexOf(n);
            if (n.startsWith(":") && at >= 0 && at % 2 == 0) {
                if (v == null) {
                    fields.remove(at);
                    fields.remove(at);
                } else {
                    fields.set(at + 1, v);
                }
            } else {
                fields.add(n);
                fields.add(v);
            }
        }
        return Arguments.of(name, expected, fields.toArray(String[]::new));
    }

    private static String[] manyFields(int n) {
        String[] f = new String[n * 2];
        for (int i = 0; i < n; i++) {
            f[2 * i] = "x-f" + i;
            f[2 * i + 1] = "v";
        }
        return f;
    }
}
