package io.strait.proxy.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
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
 * An upstream response from raw bytes to the messages the exchange reads: {@link ResponseDecoder} (the scanner's
 * check and the messages built from its positions) against what it replaced, the scanner's check followed by Netty's
 * {@code HttpResponseDecoder} (strict, as the upstream codec was configured). nginx's answer of the load harness
 * ({@link ResponseScanBenchmark#RESPONSE}) in a direct buffer of Netty's default allocator, as a socket read delivers
 * it; an embedded channel stands in for the connection in both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponseDecodeBenchmark {
    private static final DefaultHttpRequest GET = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");

    private ResponseDecoder decoder;
    private EmbeddedChannel strait;
    private RawResponseScanner scanner;
    private EmbeddedChannel netty;

    @Setup
    public void setUp() {
        decoder = new ResponseDecoder();
        strait = new EmbeddedChannel(decoder);
        scanner = new RawResponseScanner();
        netty = new EmbeddedChannel(new HttpResponseDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(4096).setMaxHeaderSize(64 * 1024).setMaxChunkSize(65536).setValidateHeaders(false)
                .setAllowDuplicateContentLengths(false).setStrictLineParsing(true).setUseRfc9112TransferEncoding(true)));
    }

    @TearDown
    public void tearDown() {
        strait.finishAndReleaseAll();
        netty.finishAndReleaseAll();
    }

    private static ByteBuf response() {
        return ByteBufAllocator.DEFAULT.directBuffer(ResponseScanBenchmark.RESPONSE.length).writeBytes(ResponseScanBenchmark.RESPONSE);
    }

    @Benchmark
    public int responseDecoder() {
        decoder.requestSent(GET);
        strait.writeInbound(response());
        return drain(strait);
    }

    @Benchmark
    public int scanThenNettysDecoder() {
        scanner.requestSent(false, () -> false);
        ByteBuf buf = response();
        if (scanner.scan(buf) >= 0) throw new IllegalStateException(scanner.problem());
        netty.writeInbound(buf);
        return drain(netty);
    }

    private static int drain(EmbeddedChannel ch) {
        int n = 0;
        for (Object m; (m = ch.readInbound()) != null; n++) ReferenceCountUtil.release(m);
        if (n != 2) throw new IllegalStateException(n + " messages");
        return n;
    }
}
