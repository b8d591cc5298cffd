package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.strait.config.model.ClusterConfig.UpstreamProtocol;
import io.strait.config.model.UpstreamTlsConfig;
import io.strait.proxy.testing.TestCerts;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second connection to the same endpoint resumes the first one's TLS session (the client session
 * cache of the cluster's context), and a connection to another port does not. The handshakes run in
 * memory against a server that issues TLS 1.3 session tickets (the JDK's); whether a session was
 * resumed is read from BoringSSL, so the test needs it.
 */
class UpstreamTlsSessionReuseTest {
    @TempDir
    Path dir;

    @Test
    void aNewConnectionToTheSameEndpointResumesTheSession() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL tells whether a session was resumed");
        TestCerts.Ca ca = new TestCerts(dir).ca("ca");
        TestCerts.Issued cert = ca.server("s", "users.internal");
        SslContext server = SslContextBuilder.forServer(cert.keys().getPrivate(), cert.certificate()).sslProvider(SslProvider.JDK).build();
        UpstreamTls tls = UpstreamTls.create("users", new UpstreamTlsConfig(null, ca.certFile, null, null, List.of(), "TLSv1.2",
                Duration.ofHours(1)), UpstreamProtocol.HTTP1, null);
        try {
            List<Boolean> resumed = new ArrayList<>();
            for (int port : new int[] {8443, 8443, 8443, 9443}) resumed.add(handshake(tls, server, port));
            assertThat(resumed).containsExactly(false, true, true, false);
        } finally {
            tls.close();
        }
    }

    private static boolean handshake(UpstreamTls tls, SslContext server, int port) throws Exception {
        SslHandler client = tls.newHandler(ByteBufAllocator.DEFAULT, "users.internal",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000, false);
        EmbeddedChannel c = new EmbeddedChannel(client);
        EmbeddedChannel s = new EmbeddedChannel(server.newHandler(ByteBufAllocator.DEFAULT));
        try {
            for (int round = 0; round < 20; round++) { // the handshake, then the server's session ticket
                pump(c, s);
                pump(s, c);
            }
            assertThat(client.handshakeFuture().isSuccess()).isTrue();
            Method reused = ReferenceCountedOpenSslEngine.class.getDeclaredMethod("isSessionReused");
            reused.setAccessible(true);
            return (Boolean) reused.invoke(client.engine());
        } finally {
            c.finishAndReleaseAll();
            s.finishAndReleaseAll();
        }
    }

    private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
        ByteBuf b;
        while ((b = from.readOutbound()) != null) to.writeInbound(b);
    }
}
