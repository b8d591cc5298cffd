package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.MemorySampler;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.Stall;
import io.strait.proxy.testing.TestBackend;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bodies stream through the proxy without being buffered: gigabyte transfers leave the heap and
 * Netty's direct memory flat (the proxy runs in this JVM with -Xmx1g, so buffering would show),
 * a client or upstream that stops reading pauses the other side, and server-sent events arrive
 * one by one.
 */
class StreamingTest {
    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    /** What the proxy may hold at once: a few read batches and socket-sized buffers, never a body. */
    private static final long MEMORY_BOUND = 64 * MIB;

    static TestBackend backend;
    private ResourceLeakDetector.Level leakLevel;

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            clusters:
              big: {endpoints: [{address: ${b}}]}
            routes:
              - {name: big, match: {pathPrefix: /}, cluster: big, timeout: 30s}
            """).withBackend("b");

    @BeforeAll
    static void backends() {
        backend = proxy.backend("b");
    }

    @AfterEach
    void resume() {
        backend.pauseReads(false);
    }

    /**
     * Leak detection at PARANOID (the suite's setting) records a stack trace on every buffer access,
     * which makes a gigabyte take tens of seconds; SIMPLE still samples allocations for leaks. The
     * same code paths run at PARANOID in every other test with smaller bodies.
     */
    @BeforeEach
    void sampleLeaks() {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @AfterEach
    void restoreLeakLevel() {
        ResourceLeakDetector.setLevel(leakLevel);
    }

    /** A chunked 1 GiB upload from a raw socket (the backend answers with the byte count it got). */
    @Test
    void gigabyteUploadStreamsWithFlatMemory() throws Exception {
        long heapBefore = MemorySampler.heapUsedAfterGc();
        long directGrowth;
        HttpHead head;
        byte[] body;
        long t0 = System.nanoTime();
        try (MemorySampler sampler = MemorySampler.start(); Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            out.write("POST /echo/upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[256 * 1024];
            byte[] chunkHead = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            byte[] crlf = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
            for (long sent = 0; sent < GIB; sent += chunk.length) {
                out.write(chunkHead);
                out.write(chunk);
                out.write(crlf);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            head = HttpHead.read(s.getInputStream());
            body = s.getInputStream().readNBytes((int) head.contentLength());
            directGrowth = sampler.directPeakGrowth();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long heapGrowth = MemorySampler.heapUsedAfterGc() - heapBefore;
        System.out.printf("1 GiB upload: %d ms, direct +%s, heap +%s%n", millis, MemorySampler.mib(directGrowth), MemorySampler.mib(heapGrowth));
        assertThat(head.status()).isEqualTo(200);
        assertThat(Json.parse(new String(body, StandardCharsets.UTF_8)).get("bodyBytes").asLong()).isEqualTo(GIB);
        assertThat(directGrowth).as("direct memory growth %s", MemorySampler.mib(directGrowth)).isLessThan(MEMORY_BOUND);
        assertThat(heapGrowth).as("heap growth %s", MemorySampler.mib(heapGrowth)).isLessThan(MEMORY_BOUND);
    }

    /** A 1 GiB download read and discarded from a raw socket, counting bytes. */
    @Test
    void gigabyteDownloadStreamsWithFlatMemory() throws Exception {
        long heapBefore = MemorySampler.heapUsedAfterGc();
        long received;
        long directGrowth;
        HttpHead head;
        long t0 = System.nanoTime();
        try (MemorySampler sampler = MemorySampler.start(); Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET /bytes/" + GIB + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            head = HttpHead.read(in);
            received = readUpTo(in, new byte[256 * 1024], GIB);
            directGrowth = sampler.directPeakGrowth();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long heapGrowth = MemorySampler.heapUsedAfterGc() - heapBefore;
        System.out.printf("1 GiB download: %d ms, direct +%s, heap +%s%n", millis, MemorySampler.mib(directGrowth), MemorySampler.mib(heapGrowth));
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.contentLength()).isEqualTo(GIB);
        assertThat(received).isEqualTo(GIB);
        assertThat(directGrowth).as("direct memory growth %s", MemorySampler.mib(directGrowth)).isLessThan(MEMORY_BOUND);
        assertThat(heapGrowth).as("heap growth %s", MemorySampler.mib(heapGrowth)).isLessThan(MEMORY_BOUND);
    }

    /**
     * The same 1 GiB download over HTTP/2 (h2c): flow control, not buffering, paces the stream. The other
     * cases' HTTP/2 forms (a stalled stream pausing the upstream, a paused upstream back-pressuring an upload,
     * server-sent events) are in {@code Http2DownstreamTest}.
     */
    @Test
    void gigabyteDownloadStreamsWithFlatMemoryOverHttp2() throws Exception {
        long heapBefore = MemorySampler.heapUsedAfterGc();
        long directGrowth;
        long[] statusAndBytes;
        long t0 = System.nanoTime();
        try (MemorySampler sampler = MemorySampler.start(); H2Client h2 = new H2Client("127.0.0.1", proxy.port())) {
            statusAndBytes = h2.download("/bytes/" + GIB).get(60, TimeUnit.SECONDS);
            directGrowth = sampler.directPeakGrowth();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long heapGrowth = MemorySampler.heapUsedAfterGc() - heapBefore;
        System.out.printf("1 GiB download over HTTP/2: %d ms, direct +%s, heap +%s%n", millis, MemorySampler.mib(directGrowth),
                MemorySampler.mib(heapGrowth));
        assertThat(statusAndBytes[0]).isEqualTo(200);
        assertThat(statusAndBytes[1]).isEqualTo(GIB);
        assertThat(directGrowth).as("direct memory growth %s", MemorySampler.mib(directGrowth)).isLessThan(MEMORY_BOUND);
        assertThat(heapGrowth).as("heap growth %s", MemorySampler.mib(heapGrowth)).isLessThan(MEMORY_BOUND);
    }

    /**
     * A client that stops reading a 256 MiB download must stop the upstream too: the backend's
     * progress stalls far short of the end, and the proxy holds no more than a bounded amount.
     * Then the client reads slowly for a while, and finally reads the rest: every byte arrives.
     */
    @Test
    void slowReaderPausesTheUpstream() throws Exception {
        long total = 256 * MIB;
        long sentBefore = backend.bytesSent();
        try (MemorySampler sampler = MemorySampler.start(); Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", proxy.port()));
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /bytes/" + total + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            HttpHead head = HttpHead.read(in);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.contentLength()).isEqualTo(total);
            byte[] buf = new byte[64 * 1024];
            long read = readUpTo(in, buf, 4 * MIB);

            // The client stops reading: the backend must come to a standstill long before the end.
            long stalledAt = Stall.awaitStable(() -> backend.bytesSent() - sentBefore);
            assertThat(sampler.directPeakGrowth()).as("direct growth %s", MemorySampler.mib(sampler.directPeakGrowth()))
                    .isLessThan(MEMORY_BOUND);
            assertThat(stalledAt).as("backend sent %s while the client read %s", MemorySampler.mib(stalledAt),
                    MemorySampler.mib(read)).isLessThan(read + 128 * MIB);

            // A slow reader (about 8 MiB/s for a second) keeps the backend just ahead of it.
            long slowUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
            while (System.nanoTime() < slowUntil) {
                read += readUpTo(in, buf, 128 * 1024);
                Thread.sleep(15); // creates the slow reader on purpose: 128 KiB every 15 ms
            }
            long sentNow = backend.bytesSent() - sentBefore;
            assertThat(sentNow - read).as("backend ahead of the slow reader").isLessThan(128 * MIB);
            assertThat(sampler.directPeakGrowth()).isLessThan(MEMORY_BOUND);

            read += readUpTo(in, buf, total - read);
            assertThat(read).isEqualTo(total);
        }
    }

    /**
     * An upstream that stops reading a 256 MiB upload must stop the proxy reading its client: the
     * client's writes stall far short of the end. When the upstream reads again, all of it arrives.
     */
    @Test
    void slowUpstreamPausesTheUpload() throws Exception {
        long total = 256 * MIB;
        backend.pauseReads(true);
        AtomicLong written = new AtomicLong();
        try (MemorySampler sampler = MemorySampler.start(); Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(("POST /echo/slow-upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + total + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    byte[] chunk = new byte[64 * 1024];
                    for (long left = total; left > 0; left -= chunk.length) {
                        out.write(chunk, 0, (int) Math.min(chunk.length, left));
                        written.addAndGet(Math.min(chunk.length, left));
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long stalledAt = Stall.awaitStable(written::get);
            assertThat(writer).isNotDone();
            assertThat(stalledAt).as("client wrote %s into a paused upstream", MemorySampler.mib(stalledAt))
                    .isLessThan(128 * MIB);
            assertThat(sampler.directPeakGrowth()).as("direct growth %s", MemorySampler.mib(sampler.directPeakGrowth()))
                    .isLessThan(MEMORY_BOUND);

            backend.pauseReads(false);
            writer.get(20, TimeUnit.SECONDS);
            HttpHead head = HttpHead.read(s.getInputStream());
            assertThat(head.status()).isEqualTo(200);
            byte[] body = s.getInputStream().readNBytes((int) head.contentLength());
            assertThat(Json.parse(new String(body, StandardCharsets.UTF_8)).get("bodyBytes").asLong()).isEqualTo(total);
            assertThat(sampler.directPeakGrowth()).isLessThan(MEMORY_BOUND);
        }
    }

    /** Events are relayed as they come: the first arrives long before the last is even sent. */
    @Test
    void serverSentEventsArriveIncrementally() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> res = proxy.client().send(
                HttpRequest.newBuilder(proxy.uri("/sse/5/200")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<String> events = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        res.body().filter(l -> l.startsWith("data:")).forEach(l -> {
            events.add(l);
            arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        });
        assertThat(events).containsExactly("data: event 1", "data: event 2", "data: event 3", "data: event 4", "data: event 5");
        // The backend sends event n at about n * 200 ms.
        assertThat(arrivals.get(0)).as("arrivals %s", arrivals).isLessThan(700);
        assertThat(arrivals.get(4) - arrivals.get(0)).as("arrivals %s", arrivals).isGreaterThanOrEqualTo(600);
        for (int i = 1; i < arrivals.size(); i++) {
            assertThat(arrivals.get(i) - arrivals.get(i - 1)).as("arrivals %s", arrivals).isGreaterThanOrEqualTo(100);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static long readUpTo(InputStream in, byte[] buf, long limit) throws java.io.IOException {
        long got = 0;
        while (got < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - got));
            if (n < 0) break;
            got += n;
        }
        return got;
    }

    /** {@code size} bytes of whatever the caller's buffer holds (zeros), without touching them. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left <= 0) return -1;
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) return -1;
            int n = (int) Math.min(len, left);
            left -= n;
            return n;
        }
    }
}
