package io.strait.bench;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.strait.config.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Building one client TLS context with a certificate and key (an upstream cluster's, or a sidecar's per mesh cluster:
 * built again for every cluster at each SVID rotation), BoringSSL, by the key store type Netty puts the key into on
 * its way to the key manager: the JDK's default (PKCS12: the key encrypted with 10,000 PBKDF2 rounds and decrypted
 * again) or JKS (what {@code TlsContexts.IN_MEMORY_KEY_STORE} chooses; the store never leaves memory).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TlsContextBuildBenchmark {
    @Param({"PKCS12", "JKS"})
    public String keyStoreType;

    private PrivateKey key;
    private X509Certificate certificate;

    @Setup
    public void setup() throws Exception {
        Path dir = Files.createTempDirectory("strait-bench-tls-context");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "1", "-subj", "/CN=bench", "-keyout", dir.resolve("k.pem").toString(), "-out", dir.resolve("c.pem").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IllegalStateException("openssl req failed");
        key = Pem.privateKey(Pem.read(dir.resolve("k.pem")));
        certificate = Pem.certificates(Pem.read(dir.resolve("c.pem"))).get(0);
    }

    @Benchmark
    public Object clientContext() throws Exception {
        SslContext c = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).keyManager(key, certificate)
                .keyStoreType(keyStoreType).build();
        ReferenceCountUtil.release(c);
        return c;
    }
}
