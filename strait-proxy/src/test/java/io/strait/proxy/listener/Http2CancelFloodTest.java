package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The reset-flood defence holds across connections: many connections, each far below Netty's per-connection
 * RST_STREAM limit, together cancel more streams than the listener's {@link StreamCancelBudget} allows; the
 * proxy serves at most the budget's worth, and a connection that cancels past it gets GOAWAY(ENHANCE_YOUR_CALM).
 */
class Http2CancelFloodTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int CONNECTIONS = 100;
    /** Per connection: well under Netty's 200 per 30 s, but 100 connections together send 1.5 budgets. */
    private static final int STREAMS_PER_CONNECTION = StreamCancelBudget.LIMIT * 3 / 2 / CONNECTIONS;

    /** HEADERS (END_STREAM, END_HEADERS): GET http://a/ then RST_STREAM(CANCEL) on the same stream. */
    private static byte[] requestThenCancel(int stream) {
        byte[] block = {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x01, 0x01, 'a'}; // :authority "a", not indexed
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frame(0x1, 0x5, stream, block));
        out.writeBytes(frame(0x3, 0, stream, new byte[] {0, 0, 0, 0x8})); // CANCEL
        return out.toByteArray();
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

    private static long metric(ProxyFixture p, String budget) {
        Matcher m = Pattern.compile("strait_http2_cancelled_streams_total\\{budget=\"" + budget + "\",listener=\"public\"} (\\S+)")
                .matcher(p.admin("GET", "/metrics").body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void manyConnectionsTogetherCannotCancelMoreThanTheListenersBudget() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     listeners: [{name: public, address: 127.0.0.1:0, protocols: [h2c]}]
                     clusters: {b: {endpoints: [{address: ${b}}]}}
                     routes: [{name: slow, match: {pathPrefix: /}, cluster: b, fault: {delay: {duration: 10s, percent: 100}}}]
                     """, Map.of("b", b.address()))) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int c = 0; c < CONNECTIONS; c++) {
                    Socket s = new Socket("127.0.0.1", p.port());
                    sockets.add(s);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.writeBytes(PREFACE);
                    out.writeBytes(frame(0x4, 0, 0, new byte[0]));
                    for (int i = 0; i < STREAMS_PER_CONNECTION; i++) out.writeBytes(requestThenCancel(1 + 2 * i));
                    s.getOutputStream().write(out.toByteArray());
                    s.getOutputStream().flush();
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> metric(p, "over") > 0);
                // Every request the proxy took up was cancelled: it took up no more than the budget.
                assertThat(metric(p, "within")).isLessThanOrEqualTo(StreamCancelBudget.LIMIT);
                // While the budget is spent, one more cancellation costs its connection a GOAWAY.
                try (Socket s = new Socket("127.0.0.1", p.port())) {
                    s.setSoTimeout(10_000);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.writeBytes(PREFACE);
                    out.writeBytes(frame(0x4, 0, 0, new byte[0]));
                    out.writeBytes(requestThenCancel(1));
                    s.getOutputStream().write(out.toByteArray());
                    s.getOutputStream().flush();
                    assertThat(goAwayError(readToEnd(s.getInputStream()))).isEqualTo(0xB); // ENHANCE_YOUR_CALM
                }
            } finally {
                for (Socket s : sockets) s.close();
            }
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            in.transferTo(b);
        } catch (IOException reset) {
            // closed
        }
        return b.toByteArray();
    }

    /** The error code of the first GOAWAY frame among the server's frames, or -1. */
    private static int goAwayError(byte[] b) {
        int i = 0;
        while (i + 9 <= b.length) {
            int len = ((b[i] & 0xFF) << 16) | ((b[i + 1] & 0xFF) << 8) | (b[i + 2] & 0xFF);
            if ((b[i + 3] & 0xFF) == 0x7 && i + 17 <= b.length) {
                int e = i + 13;
                return ((b[e] & 0xFF) << 24) | ((b[e + 1] & 0xFF) << 16) | ((b[e + 2] & 0xFF) << 8) | (b[e + 3] & 0xFF);
            }
            i += 9 + len;
        }
        return -1;
    }
}
