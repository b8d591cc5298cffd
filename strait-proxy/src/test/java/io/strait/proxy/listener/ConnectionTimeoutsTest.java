package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Listener and upstream timeouts through a real proxy: a stalled request head gets 408, an idle
 * keep-alive connection is closed, and an upstream that never completes the TCP handshake is 504.
 * The listeners use 300 ms timeouts; "h1" speaks HTTP/1.1 only, "both" also detects h2c.
 */
class ConnectionTimeoutsTest {
    private static final long TIMEOUT_MILLIS = 300;

    static TestBackend backend;
    static ServerSocket blackhole;
    static final List<Socket> backlogFillers = new ArrayList<>();
    static boolean blackholeReady;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend("t");
        blackholeReady = fillBacklog();
        proxy = ProxyFixture.start("""
                listeners:
                  - {name: h1, address: 127.0.0.1:0, protocols: [http1], requestHeadersTimeout: 300ms, idleTimeout: 300ms}
                  - {name: both, address: 127.0.0.1:0, requestHeadersTimeout: 300ms, idleTimeout: 300ms}
                  - {name: slowhead, address: 127.0.0.1:0, protocols: [http1], requestHeadersTimeout: 500ms, idleTimeout: 1000ms}
                clusters:
                  t: {endpoints: [{address: ${b}}]}
                  blackhole: {endpoints: [{address: 127.0.0.1:${hole}}], pool: {connectTimeout: 300ms}}
                routes:
                  - {name: blackhole, match: {pathPrefix: /blackhole}, cluster: blackhole}
                  - {name: t, match: {pathPrefix: /}, cluster: t}
                """, Map.of("b", backend.address(), "hole", String.valueOf(blackhole.getLocalPort())));
    }

    @AfterAll
    static void stop() throws IOException {
        proxy.close();
        backend.close();
        for (Socket s : backlogFillers) s.close();
        blackhole.close();
    }

    static int port(String listener) {
        return proxy.server().port(listener);
    }

    @Test
    void stalledRequestHeadGets408AndTheConnectionCloses() throws Exception {
        for (String listener : List.of("h1", "both")) {
            Result r = talk(listener, "GET /echo HTTP/1.1\r\nHost: a\r\nX-Half: ", 3000);
            assertThat(r.text).as(listener).startsWith("HTTP/1.1 408").endsWith("<EOF>");
            assertThat(r.text).contains("\"error\":\"request_timeout\"");
            assertThat(r.millis).as(listener).isBetween(TIMEOUT_MILLIS - 50, 2000L);
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterIdleTimeout() throws Exception {
        for (String listener : List.of("h1", "both")) {
            try (Socket s = new Socket("127.0.0.1", port(listener))) {
                s.setSoTimeout(3000);
                s.getOutputStream().write("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = s.getInputStream();
                HttpHead head = HttpHead.read(in);
                assertThat(head.status()).isEqualTo(200);
                in.readNBytes((int) head.contentLength());
                long t0 = System.nanoTime();
                String rest = ProxyFixture.readUntilQuiet(in);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(rest).as(listener).isEqualTo("\n<EOF>");
                assertThat(millis).as(listener).isBetween(TIMEOUT_MILLIS - 50, 2000L);
            }
        }
    }

    /**
     * After a request whose body arrived in its own packets, the idle connection is closed
     * silently: an unsolicited 408 on an idle keep-alive connection races the client's next request.
     */
    @Test
    void idleAfterAPostIsASilentClose() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port("h1"))) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            Thread.sleep(50); // the body in a packet of its own
            s.getOutputStream().write("hello".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            HttpHead head = HttpHead.read(in);
            assertThat(head.status()).isEqualTo(200);
            in.readNBytes((int) head.contentLength());
            assertThat(ProxyFixture.readUntilQuiet(in)).isEqualTo("\n<EOF>");
        }
    }

    /** The headers timeout counts from a request's first byte, not from the end of the previous exchange. */
    @Test
    void keepAliveRequestGetsTheWholeHeadersTimeoutFromItsFirstByte() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port("slowhead"))) {
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("GET /echo/first HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            HttpHead first = HttpHead.read(in);
            in.readNBytes((int) first.contentLength());
            Thread.sleep(800); // idle, within the 1 s idle timeout
            out.write("GET /echo/second HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(350); // the head takes 350 ms of the 500 ms allowed
            out.write("Host: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            HttpHead second = HttpHead.read(in);
            assertThat(second.status()).isEqualTo(200);
        }
    }

    @Test
    void connectionThatNeverSendsAnythingIsClosedAfterIdleTimeout() throws Exception {
        for (String listener : List.of("h1", "both")) {
            Result r = talk(listener, "", 3000);
            assertThat(r.text).as(listener).isEqualTo("\n<EOF>");
            assertThat(r.millis).as(listener).isBetween(TIMEOUT_MILLIS - 50, 2000L);
        }
    }

    @Test
    void stalledHttp2PrefaceIsClosed() throws Exception {
        // The first bytes of the HTTP/2 preface, then nothing: protocol detection must not wait forever.
        Result r = talk("both", "PRI * HTTP/2.0\r\n", 3000);
        assertThat(r.text).as("after %d ms", r.millis).endsWith("<EOF>");
        assertThat(r.millis).isLessThan(2000L);
    }

    @Test
    void activeRequestIsNotCutByTheIdleTimeout() throws Exception {
        // A response that takes longer than the idle and headers timeouts is still delivered.
        Result r = talk("h1", "GET /delay/800 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 3000);
        assertThat(r.text).startsWith("HTTP/1.1 200").endsWith("<EOF>");
    }

    @Test
    void idleHttp2ConnectionIsClosedAfterIdleTimeout() throws Exception {
        try (H2Client h2 = new H2Client("127.0.0.1", port("both"))) {
            // A stream that outlasts the idle timeout is not cut.
            assertThat(h2.get("/delay/800").get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(h2.channel().closeFuture().await(3000)).as("closed by the proxy").isTrue();
            // measured from when the client had the response, a little after the proxy's last frame
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(TIMEOUT_MILLIS - 100, 2000L);
        }
    }

    /**
     * Upstream connect timeout. On loopback, a listening socket whose accept queue is full drops
     * new SYNs (Linux, tcp_abort_on_overflow=0), so connecting hangs until the proxy's connect
     * timeout. The test first proves the queue is full with its own timed-out connect and skips
     * when the kernel behaves otherwise.
     */
    @Test
    void upstreamConnectTimeoutIs504() {
        assumeThat(blackholeReady).as("could not fill a listen backlog on this kernel").isTrue();
        long t0 = System.nanoTime();
        HttpResponse<String> res = proxy.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port("h1") + "/blackhole/x")).build());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(res.statusCode()).isEqualTo(504);
        assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("upstream_connect_timeout");
        assertThat(millis).isBetween(TIMEOUT_MILLIS - 50, 3000L);
    }

    // ---------------------------------------------------------------- helpers

    record Result(String text, long millis) {}

    /** Sends bytes on a fresh connection, then reads until the proxy closes it or stays quiet. */
    static Result talk(String listener, String request, int quietMillis) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port(listener))) {
            s.setSoTimeout(quietMillis);
            long t0 = System.nanoTime();
            if (!request.isEmpty()) {
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
            }
            String text = ProxyFixture.readUntilQuiet(s.getInputStream());
            return new Result(text, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    /** Opens connections to a never-accepting socket with backlog 1 until one of ours times out. */
    private static boolean fillBacklog() throws IOException {
        blackhole = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(blackhole.getInetAddress(), blackhole.getLocalPort()), 200);
                backlogFillers.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return true;
            } catch (IOException e) {
                s.close();
                return false;
            }
        }
        return false;
    }
}
