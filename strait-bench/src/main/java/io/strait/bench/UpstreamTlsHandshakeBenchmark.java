package io.strait.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.UpstreamTlsConfig;
import io.strait.proxy.tls.UpstreamTls;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * One TLS handshake of a new upstream connection, proxy side ({@link UpstreamTls}, the cluster's
 * client context) against a server context, in memory (no sockets): a full handshake (a peer the
 * session cache has not seen) and a resumed one (the same peer again: the client session cache's
 * ticket). The difference is what session reuse saves per new upstream connection. Certificates
 * are made with {@code openssl} at setup (EC P-256); the server side is the JDK's provider, which
 * issues TLS 1.3 session tickets (both sides' work is in the figures).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UpstreamTlsHandshakeBenchmark {
    private Path dir;
    private UpstreamTls tls;
    private SslContext server;
    private int port = 10_000;

    @Setup
    public void setup() throws Exception {
        dir = Files.createTempDirectory("strait-bench-tls");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "1", "-subj", "/CN=users.internal", "-addext", "subjectAltName=DNS:users.internal",
                "-keyout", dir.resolve("server.key").toString(), "-out", dir.resolve("server.pem").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IllegalStateException("openssl req failed");
        tls = UpstreamTls.create("bench", new UpstreamTlsConfig(null, dir.resolve("server.pem"), null, null, List.of(),
                "TLSv1.2", Duration.ofHours(1)), UpstreamProtocol.HTTP1, null);
        // the JDK's server issues TLS 1.3 session tickets; netty's BoringSSL server issues none without ticket keys
        server = SslContextBuilder.forServer(new File(dir.resolve("server.pem").toString()), new File(dir.resolve("server.key").toString()))
                .sslProvider(SslProvider.JDK).build();
        handshake(1); // the resumed benchmark's peer gets its ticket
    }

    @TearDown
    public void tearDown() throws Exception {
        tls.close();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(dir);
    }

    /** A peer (port) the session cache has never seen: a full handshake. */
    @Benchmark
    public boolean fullHandshake() {
        return handshake(++port);
    }

    /** The same peer as every time before: the session is resumed. */
    @Benchmark
    public boolean resumedHandshake() {
        return handshake(1);
    }

    private boolean handshake(int peerPort) {
        SslHandler client = tls.newHandler(ByteBufAllocator.DEFAULT, "users.internal",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), peerPort), 10_000, false);
        EmbeddedChannel c = new EmbeddedChannel(client);
        EmbeddedChannel s = new EmbeddedChannel(server.newHandler(ByteBufAllocator.DEFAULT));
        try {
            // until neither side has anything to say: the handshake, then the server's session ticket
            for (int round = 0; round < 20; round++) {
                boolean moved = pump(c, s) | pump(s, c);
                if (!moved && client.handshakeFuture().isDone()) break;
            }
            if (!client.handshakeFuture().isSuccess()) throw new IllegalStateException(client.handshakeFuture().cause());
            return true;
        } finally {
            c.finishAndReleaseAll();
            s.finishAndReleaseAll();
        }
    }

    private static boolean pump(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        ByteBuf b;
        while ((b = from.readOutbound()) != null) {
            to.writeInbound(b);
            moved = true;
        }
        return moved;
    }
}
