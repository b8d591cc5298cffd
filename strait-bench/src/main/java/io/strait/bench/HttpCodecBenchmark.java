package io.strait.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.strait.proxy.http.StraitHeaders;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * One proxied request through the HTTP/1.1 codecs of both sides, as {@code bench/run.sh}'s requests pass:
 * the client's request is decoded (downstream {@code HttpServerCodec}), re-encoded with the headers Strait
 * adds (upstream {@code HttpClientCodec}), the upstream's response is decoded and re-encoded for the client.
 * Embedded channels stand in for sockets: the codec work and the copies are measured, the I/O is left out.
 * The baseline for a leaner HTTP/1.1 path (docs/status.md); a bulk header writer measured here was slower
 * (docs/benchmarks.md).
 *
 * <pre>
 * mvn -B -ntp -q -pl strait-bench -am package -DskipTests
 * java --sun-misc-unsafe-memory-access=allow -jar strait-bench/target/strait-bench-0.1.0-SNAPSHOT-jmh.jar \
 *     HttpCodecBenchmark -f 2 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HttpCodecBenchmark {
    /** wrk's request, with a browser's usual headers added. */
    private static final byte[] REQUEST = ("GET /api/v1/users/42?expand=orders HTTP/1.1\r\n"
            + "Host: api.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0\r\n"
            + "Accept: application/json\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "\r\n").getBytes(StandardCharsets.US_ASCII);
    /** nginx's answer of bench/conf/backend.nginx.conf. */
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\n"
            + "Server: nginx/1.22.1\r\n"
            + "Date: Tue, 24 Nov 2026 05:00:00 GMT\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 35\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n"
            + "hello from the strait-bench backend").getBytes(StandardCharsets.US_ASCII);

    private EmbeddedChannel downstream;
    private EmbeddedChannel upstream;

    @Setup
    public void setUp() {
        HttpDecoderConfig server = new HttpDecoderConfig().setValidateHeaders(false).setStrictLineParsing(true);
        downstream = new EmbeddedChannel(new HttpServerCodec(server));
        upstream = new EmbeddedChannel(new HttpClientCodec(4096, 64 * 1024, 65536, false, false));
    }

    @TearDown
    public void tearDown() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    @Benchmark
    public void proxiedRequest(Blackhole bh) {
        // client -> proxy: the request head and its (empty) end
        downstream.writeInbound(Unpooled.wrappedBuffer(REQUEST));
        HttpRequest req = (HttpRequest) downstream.readInbound();
        Object end = downstream.readInbound();
        // proxy -> upstream, with what Strait adds
        req.headers().set(StraitHeaders.X_FORWARDED_FOR, "127.0.0.1")
                .set(StraitHeaders.X_FORWARDED_PROTO, HTTP)
                .set(StraitHeaders.X_FORWARDED_HOST, "api.example.com")
                .set(StraitHeaders.REQUEST_ID, "3f2c1a9e8b7d6c5f4e3d2c1b0a998877")
                .set(StraitHeaders.TRACEPARENT, "00-3f2c1a9e8b7d6c5f4e3d2c1b0a998877-3f2c1a9e8b7d6c5f-00");
        upstream.writeOutbound(req, end);
        drain(upstream, bh);
        // upstream -> proxy -> client
        upstream.writeInbound(Unpooled.wrappedBuffer(RESPONSE));
        Object res = upstream.readInbound();
        Object body = upstream.readInbound();
        ((HttpResponse) res).headers()
                .remove(HttpHeaderNames.CONNECTION)
                .set(StraitHeaders.REQUEST_ID, REQUEST_ID);
        downstream.writeOutbound(res, body);
        drain(downstream, bh);
    }

    private static final AsciiString REQUEST_ID = AsciiString.of("3f2c1a9e8b7d6c5f4e3d2c1b0a998877");
    private static final AsciiString HTTP = AsciiString.cached("http");

    private static void drain(EmbeddedChannel ch, Blackhole bh) {
        for (Object o; (o = ch.readOutbound()) != null; ) {
            if (o instanceof ByteBuf b) bh.consume(b.readableBytes());
            ReferenceCountUtil.release(o);
        }
    }
}
