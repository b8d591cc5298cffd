package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.strait.proxy.listener.Http1Harness.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded corruption of valid pipelined traffic. Whatever the bytes, no exception escapes, a refusal always closes
 * the connection, and which requests are forwarded does not depend on how the bytes are split across reads: a
 * guard whose framing drifted from Netty's would show up here as a difference.
 */
class RequestValidatorRandomTest {
    private static final String TRAFFIC = "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4\r\nwxyz\r\n3;e=1\r\nabc\r\n0\r\nT: v\r\n\r\n"
            + "PUT /b HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /c HTTP/1.1\r\nHost: a\r\nX-Y: z\r\n\r\n";
    private static final byte[] INTERESTING = " \t\r\n\0\u000b:;,-0123456789aAfFxX".getBytes(StandardCharsets.ISO_8859_1);

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void corruptionIsHandledTheSameWayWhateverTheReadBoundaries(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 60; i++) {
            byte[] bytes = corrupt(TRAFFIC.getBytes(StandardCharsets.ISO_8859_1), random);
            Outcome whole = run(bytes, bytes.length);
            Outcome split = run(bytes, 1 + random.nextInt(7));
            String label = "seed " + seed + " case " + i + ": " + printable(bytes);
            if (!split.bodyError && !whole.bodyError) {
                assertThat(split.forwarded).as(label).isEqualTo(whole.forwarded);
                assertThat(split.refused).as(label).isEqualTo(whole.refused);
            }
        }
    }

    private record Outcome(List<String> forwarded, boolean refused, boolean bodyError) {}

    private static Outcome run(byte[] bytes, int readSize) {
        try (Http1Harness h = new Http1Harness()) {
            for (int at = 0; at < bytes.length && h.channel.isOpen(); at += readSize) {
                byte[] part = new byte[Math.min(readSize, bytes.length - at)];
                System.arraycopy(bytes, at, part, 0, part.length);
                h.send(part);
            }
            assertThat(h.capture.exceptions).isEmpty();
            List<Response> responses = h.responses();
            boolean refused = !responses.isEmpty();
            if (refused) {
                assertThat(responses).hasSize(1);
                assertThat(responses.get(0).headers()).containsEntry("connection", "close");
                assertThat(h.channel.isOpen()).isFalse();
                assertThat(h.capture.requests()).isEmpty(); // refused before any answer was written upstream
            }
            boolean bodyError = h.capture.events.stream().anyMatch(RequestValidator.BodyError.class::isInstance);
            List<String> forwarded = h.capture.requests().stream().map(HttpRequest::uri).toList();
            return new Outcome(forwarded, refused, bodyError);
        }
    }

    private static byte[] corrupt(byte[] in, Random random) {
        byte[] out = in.clone();
        int edits = 1 + random.nextInt(2);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(out.length);
            out[at] = random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : (byte) random.nextInt(256);
        }
        return out;
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xFF;
            if (c >= 0x20 && c < 0x7F) sb.append((char) c);
            else sb.append(String.format("\\x%02x", c));
        }
        return sb.toString();
    }
}
