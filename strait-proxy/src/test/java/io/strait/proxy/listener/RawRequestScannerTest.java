package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The guard must see request boundaries exactly where Netty's decoder does, or it would scan body bytes as
 * heads (false refusals) or skip real heads (missed attacks). Bodies here contain request-looking bytes.
 */
class RawRequestScannerTest {
    /** Requests as sent; a leading CRLF is part of the next request's bytes but not of the request. */
    private static final List<String> REQUESTS = List.of(
            "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "23\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n\r\n0005;x=\"y\"\r\n\r\n0\r\n\r\n0\r\nT: v\r\n\r\n",
            "PUT /b HTTP/1.1\r\nHost: a\r\nContent-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /c HTTP/1.1\r\nHost: a\r\n\r\n",
            "POST /d HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
            "POST /e HTTP/1.0\r\nContent-Length: 2\r\n\r\n\r\n",
            "POST /f HTTP/1.1\r\nHost: a\r\ntransfer-encoding: CHUNKED\r\n\r\nA\r\n0123456789\r\n00\r\n\r\n",
            "GET /g HTTP/1.1\r\nHost: a\r\nContent-Lengthy: 5\r\nTransfer-Encodings: x\r\n\r\n");

    @Test
    void requestStartsMatchTheTrafficInOneRead() {
        assertThat(scanInParts(traffic(), new Random(0), Integer.MAX_VALUE)).isEqualTo(expectedStarts());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 13})
    void requestStartsMatchTheTrafficWhateverTheSplit(int maxPart) {
        Random random = new Random(maxPart);
        for (int i = 0; i < 20; i++) {
            assertThat(scanInParts(traffic(), random, maxPart)).isEqualTo(expectedStarts());
        }
    }

    @Test
    void nettyDecodesTheSameRequests() {
        try (Http1Harness h = new Http1Harness()) {
            h.send(traffic());
            assertThat(h.capture.requests()).extracting(HttpRequest::uri)
                    .containsExactly("/a", "/b", "/c", "/d", "/e", "/f", "/g");
            assertThat(h.capture.lastContents()).isEqualTo(REQUESTS.size());
            assertThat(h.capture.events).isEmpty();
        }
    }

    @Test
    void reportsTheOffendingIndexAndStaysFailed() {
        RawRequestScanner s = new RawRequestScanner(10);
        ByteBuf buf = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", StandardCharsets.US_ASCII);
        assertThat(s.scan(buf)).isEqualTo("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n".length());
        assertThat(s.problem().message()).isEqualTo("obsolete line folding is not allowed");
        assertThat(s.requestStart()).isZero();
        buf.release();
        ByteBuf more = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII);
        assertThat(s.scan(more)).isZero();
        more.release();
    }

    @Test
    void passThroughAcceptsAnything() {
        RawRequestScanner s = new RawRequestScanner(10);
        s.passThrough();
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {0, '\r', 1, '\n', ' '});
        assertThat(s.scan(buf)).isEqualTo(-1);
        buf.release();
    }

    private static byte[] traffic() {
        return ("\r\n" + String.join("", REQUESTS)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<Long> expectedStarts() {
        List<Long> starts = new ArrayList<>();
        long at = 2; // after the leading CRLF
        for (String r : REQUESTS) {
            starts.add(at);
            at += r.length();
        }
        return starts;
    }

    private static List<Long> scanInParts(byte[] bytes, Random random, int maxPart) {
        RawRequestScanner s = new RawRequestScanner(10);
        List<Long> starts = new ArrayList<>();
        s.onRequestStart(starts::add);
        int at = 0;
        while (at < bytes.length) {
            int n = Math.min(bytes.length - at, maxPart == Integer.MAX_VALUE ? maxPart : 1 + random.nextInt(maxPart));
            // a buffer whose readerIndex is not 0, as after a partial read upstream of the guard
            ByteBuf buf = Unpooled.buffer(n + 3).writeBytes(new byte[] {9, 9, 9}).writeBytes(bytes, at, n);
            buf.readerIndex(3);
            assertThat(s.scan(buf)).as("problem: %s", s.problem()).isEqualTo(-1);
            assertThat(buf.readerIndex()).isEqualTo(3);
            buf.release();
            at += n;
        }
        return starts;
    }
}
