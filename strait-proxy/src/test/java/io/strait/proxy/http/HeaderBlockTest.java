package io.strait.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderBlockTest {

    private static String written(HttpHeaders h, ByteBuf out) {
        try {
            HeaderBlock.write(h, out);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    private static String written(HttpHeaders h) {
        return written(h, ByteBufAllocator.DEFAULT.directBuffer(16));
    }

    @Test
    void writesEveryHeaderInOrderAsNameColonValueCrLf() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        h.add(HttpHeaderNames.HOST, "example.com");
        h.add("X-Custom", new AsciiString("ascii-value"));
        h.add("x-repeated", "one");
        h.add("x-repeated", "two");
        h.add("Empty", "");
        assertThat(written(h)).isEqualTo(
                "host: example.com\r\nX-Custom: ascii-value\r\nx-repeated: one\r\nx-repeated: two\r\nEmpty: \r\n");
    }

    @Test
    void writesLatin1ObsTextBytesAsTheyCame() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        h.add("X-Name", "caf\u00e9 \u00ff");
        assertThat(written(h)).isEqualTo("X-Name: caf\u00e9 \u00ff\r\n");
    }

    @Test
    void framingCharactersNeverReachTheWire() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        h.add("X-Injected", "a\r\nSet-Cookie: evil=1");
        h.add("X-Nul", "a\u0000b");
        h.add(new AsciiString("X-Ascii"), new AsciiString("x\ny"));
        h.add("X-Bare-Cr", "x\ry");
        assertThat(written(h)).isEqualTo(
                "X-Injected: a  Set-Cookie: evil=1\r\nX-Nul: a b\r\nX-Ascii: x y\r\nX-Bare-Cr: x y\r\n");
    }

    @Test
    void charactersAboveLatin1BecomeQuestionMarksEvenWhenTheirLowByteIsCrOrLf() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        // U+010D and U+010A have the low bytes of CR and LF: a plain byte truncation would split the header.
        h.add("X-Utf16", "\u010dX-Evil: 1\u010a");
        h.add("X-Euro", "\u20ac5");
        String out = written(h);
        assertThat(out).isEqualTo("X-Utf16: ?X-Evil: 1?\r\nX-Euro: ?5\r\n");
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(2);
    }

    @Test
    void blocksLargerThanTheScratchArrayAndSingleHugeHeadersAreWrittenWhole() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            String value = "value-" + i + "-" + "x".repeat(i % 50);
            h.add("X-H" + i, value);
            expected.append("X-H").append(i).append(": ").append(value).append("\r\n");
        }
        String huge = "h".repeat(20_000) + "\r\n";
        h.add("X-Huge", huge);
        expected.append("X-Huge: ").append("h".repeat(20_000)).append("  \r\n");
        h.add("X-After", "ok");
        expected.append("X-After: ok\r\n");
        assertThat(written(h)).isEqualTo(expected.toString());
    }

    @Test
    void appendsToWhatTheBufferAlreadyHolds() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        h.add("A", "1");
        ByteBuf heap = Unpooled.buffer(4);
        heap.writeBytes("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(written(h, heap)).isEqualTo("HTTP/1.1 200 OK\r\nA: 1\r\n");
    }
}
