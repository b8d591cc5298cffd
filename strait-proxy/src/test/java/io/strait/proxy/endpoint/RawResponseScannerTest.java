package io.strait.proxy.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The scanner gives the same verdict whether a response arrives whole or one byte per read. */
class RawResponseScannerTest {

    static Stream<MalformedResponseTest.Case> cases() {
        return MalformedResponseTest.CASES.stream();
    }

    /** The verdict: -1 when every byte passed, else the offset in the stream of the refused byte. */
    private static long scan(String response, int pieceSize, boolean head, boolean upgrade) {
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        RawResponseScanner s = new RawResponseScanner();
        s.requestSent(head, () -> upgrade);
        for (int from = 0; from < bytes.length; from += pieceSize) {
            ByteBuf buf = Unpooled.wrappedBuffer(bytes, from, Math.min(pieceSize, bytes.length - from));
            int bad = s.scan(buf);
            if (bad >= 0) return from + bad - buf.readerIndex();
        }
        return -1;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameVerdictWholeOrByteByByte(MalformedResponseTest.Case c) {
        if (c.name().equals("head-too-large")) return; // refused by Netty's decoder, not by the scanner
        long whole = scan(c.response(), Integer.MAX_VALUE, false, false);
        long bytewise = scan(c.response(), 1, false, false);
        assertThat(bytewise).isEqualTo(whole);
        if (c.outcome() == MalformedResponseTest.Outcome.VALID) assertThat(whole).isEqualTo(-1);
        else assertThat(whole).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aHeadResponseHasNoBodyWhateverItsFramingSays() {
        assertThat(scan("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 1, true, false)).isEqualTo(-1);
        // the same bytes to a GET leave the scanner waiting for the body; a body to HEAD is refused
        assertThat(scan("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 1, true, false)).isGreaterThan(0);
    }

    @Test
    void a101IsAcceptedOnlyForAnUpgradeAndThenBytesPass() {
        String res = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi";
        assertThat(scan(res, 1, false, true)).isEqualTo(-1);
        assertThat(scan(res, 1, false, false)).isGreaterThan(0);
    }

    @Test
    void bytesWithNoRequestInFlightAreRefused() {
        RawResponseScanner s = new RawResponseScanner();
        assertThat(s.scan(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n", StandardCharsets.US_ASCII))).isEqualTo(0);
        assertThat(s.problem()).contains("no request");
    }
}
