package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/2 request heads get the listener's requestHeadersTimeout, as HTTP/1.1 heads do: a client that drips
 * its HEADERS and CONTINUATION frames (each frame resets the idle timeout) gets GOAWAY(ENHANCE_YOUR_CALM)
 * and a closed connection; a client that sends its heads whole is not affected.
 */
class Http2HeadTimeoutTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static TestBackend backend;

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            listeners:
              - {name: public, address: 127.0.0.1:0, protocols: [h2c], requestHeadersTimeout: 500ms, idleTimeout: 60s}
            clusters: {b: {endpoints: [{address: ${b}}]}}
            routes: [{name: r, match: {pathPrefix: /}, cluster: b}]
            """).withBackend("b");

    @BeforeAll
    static void backends() {
        backend = proxy.backend("b");
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    /** ":method: GET", ":scheme: http", ":path: /", then a literal field "x" whose 200-byte value (0x7f 0x49) follows. */
    private static final byte[] HEAD_START = {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x00, 0x01, 'x', 0x7f, 0x49};

    @Test
    void continuationFramesDrippedPastTheTimeoutEndTheConnectionWithGoAway() throws Exception {
        // HEADERS without END_HEADERS, then one-byte CONTINUATION frames, each well inside the idle timeout.
        // Fewer than Netty's limit of 16 small CONTINUATION frames: only the head timeout can end this.
        assertDripEndsWithGoAway(frame(0x1, 0x1, 1, HEAD_START), 12, () -> frame(0x9, 0, 1, new byte[] {'a'}));
    }

    @Test
    void aHeadersFrameDrippedByteByByteEndsTheConnectionWithGoAway() throws Exception {
        // One HEADERS frame announcing 208 bytes of header block, of which a byte arrives now and then.
        byte[] whole = frame(0x1, 0x5, 1, new byte[HEAD_START.length + 200]);
        System.arraycopy(HEAD_START, 0, whole, 9, HEAD_START.length);
        byte[] start = java.util.Arrays.copyOf(whole, 9 + HEAD_START.length);
        assertDripEndsWithGoAway(start, 150, () -> new byte[] {'a'});
    }

    private static void assertDripEndsWithGoAway(byte[] first, int drips, java.util.function.Supplier<byte[]> drip)
            throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(PREFACE);
            out.write(frame(0x4, 0, 0, new byte[0])); // SETTINGS
            out.write(first);
            out.flush();
            AtomicBoolean closed = new AtomicBoolean();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                byte[] b = new byte[4096];
                try {
                    int n;
                    while ((n = in.read(b)) >= 0) {
                        synchronized (received) {
                            received.write(b, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // reset
                }
                closed.set(true);
            });
            reader.start();
            for (int i = 0; i < drips && !closed.get(); i++) {
                try {
                    out.write(drip.get());
                    out.flush();
                } catch (SocketException gone) {
                    break;
                }
                await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> true);
            }
            // The idle timeout is 60 s: only the head timeout closes the connection this soon.
            await().atMost(Duration.ofSeconds(10)).untilTrue(closed);
            byte[] bytes;
            synchronized (received) {
                bytes = received.toByteArray();
            }
            assertThat(goAwayError(bytes)).isEqualTo(0xB); // ENHANCE_YOUR_CALM
        }
    }

    @Test
    void wholeHeadsAreServedPastTheTimeout() throws Exception {
        try (H2Client h2 = new H2Client("127.0.0.1", proxy.port())) {
            for (int i = 0; i < 3; i++) {
                assertThat(h2.get("/echo").get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
                await().pollDelay(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> true);
            }
            assertThat(h2.goAway()).isNotDone();
        }
    }

    /** The error code of the first GOAWAY frame among the server's frames (after its SETTINGS), or -1. */
    private static int goAwayError(byte[] b) {
        int i = 0;
        while (i + 9 <= b.length) {
            int len = ((b[i] & 0xFF) << 16) | ((b[i + 1] & 0xFF) << 8) | (b[i + 2] & 0xFF);
            int type = b[i + 3] & 0xFF;
            if (type == 0x7 && i + 9 + 8 <= b.length) {
                int p = i + 9 + 4;
                return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
            }
            i += 9 + len;
        }
        return -1;
    }
}
