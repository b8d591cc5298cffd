package io.strait.proxy.listener;

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
 * The raw-request check every HTTP/1.1 request head passes before Netty's decoder ({@link RawRequestScanner}),
 * over a browser-like head in a direct buffer of Netty's default (adaptive) allocator, as a socket read delivers it. In this package because
 * the scanner is package-private; {@code ResponseScanBenchmark} is its upstream twin.
 *
 * <pre>
 * java --sun-misc-unsafe-memory-access=allow -Dio.netty.noUnsafe=false -jar strait-bench/target/strait-bench-0.1.0-SNAPSHOT-jmh.jar \
 *     'ScanBenchmark' -f 2 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestScanBenchmark {
    /** The request of {@code HttpCodecBenchmark}: wrk's, with a browser's usual headers added (311 bytes). */
    static final byte[] REQUEST = ("GET /api/v1/users/42?expand=orders HTTP/1.1\r\n"
            + "Host: api.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0\r\n"
            + "Accept: application/json\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Cookie: session=8d5f1c2e9a7b4f60a1e2c3d4b5a69788; theme=dark\r\n"
            + "\r\n").getBytes(StandardCharsets.US_ASCII);

    private final RawRequestScanner scanner = new RawRequestScanner(100);
    private ByteBuf buf;

    @Setup
    public void setUp() {
        buf = ByteBufAllocator.DEFAULT.directBuffer(REQUEST.length).writeBytes(REQUEST);
    }

    @TearDown
    public void tearDown() {
        buf.release();
    }

    @Benchmark
    public int requestHead() {
        return scanner.scan(buf);
    }
}
