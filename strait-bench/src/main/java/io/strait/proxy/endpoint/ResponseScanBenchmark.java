package io.strait.proxy.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The raw-response check every HTTP/1.1 upstream response passes before Netty's decoder
 * ({@link RawResponseScanner}): nginx's answer of bench/conf/backend.nginx.conf, head and body in one pooled
 * direct buffer as a socket read delivers it. In this package because the scanner is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponseScanBenchmark {
    static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\n"
            + "Server: nginx/1.22.1\r\n"
            + "Date: Tue, 24 Nov 2026 05:00:00 GMT\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 35\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n"
            + "hello from the strait-bench backend").getBytes(StandardCharsets.US_ASCII);

    private final RawResponseScanner scanner = new RawResponseScanner();
    private ByteBuf buf;

    @Setup
    public void setUp() {
        buf = ByteBufAllocator.DEFAULT.directBuffer(RESPONSE.length).writeBytes(RESPONSE);
    }

    @TearDown
    public void tearDown() {
        buf.release();
    }

    @Benchmark
    public int responseHeadAndBody() {
        scanner.requestSent(false, () -> false);
        return scanner.scan(buf);
    }
}
