package io.strait.mesh.transport;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidVerifier;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The control plane's gRPC transport: TLS 1.3 with SPIFFE identities on both sides, over grpc-netty on
 * the project's Netty.
 *
 * <ul>
 *   <li>Server ({@link #server}): presents the control plane's SVID (the current one of its
 *   {@link MeshCredentials}: a rotation reaches new connections); a client certificate is optional at
 *   the TLS layer, since a sidecar's first call has none (its CSR carries a join token), but one that is
 *   sent must be a valid SVID under the trust bundle or the handshake fails; every call then gets the
 *   caller's verified identity in {@link io.strait.mesh.api.Callers#CALLER} ({@link CallerInterceptor}).</li>
 *   <li>Client ({@link #channel}): presents its SVID when it has one, and accepts the server only with a
 *   valid SVID of exactly the expected identity (by default {@link #controlPlaneId}); host names are not
 *   checked, the SPIFFE ID is.</li>
 * </ul>
 * BoringSSL (netty-tcnative) is used when it loads, as on the data plane: a sidecar then loads neither the JDK's TLS
 * engine (some 450 classes) nor the heap buffers grpc-netty uses with it (a 2 MiB pooled chunk), which is about a
 * tenth of its memory. Both providers ask the key manager per handshake, which is what rotation needs; the JDK's is
 * the fallback ({@link #provider}). Keepalives find a dead peer within
 * {@link #KEEPALIVE_TIME} plus {@link #KEEPALIVE_TIMEOUT}.
 * <p>Both sides take their buffers from Netty's default allocator ({@link #ALLOCATOR}), the one the proxy engine uses:
 * grpc-netty otherwise keeps a pool of its own, whose 2 MiB chunks were 3.7 of a sidecar's 6 MiB of direct memory
 * for a stream that carries a few messages a minute.
 */
public final class MeshTransport {
    /** The control plane's own identity: namespace {@value #CONTROL_PLANE_NAMESPACE}, account {@value #CONTROL_PLANE_ACCOUNT}. */
    public static final String CONTROL_PLANE_NAMESPACE = "strait-system";
    public static final String CONTROL_PLANE_ACCOUNT = "control-plane";
    /** A client pings an idle connection this often, so a vanished control plane is noticed. */
    public static final Duration KEEPALIVE_TIME = Duration.ofSeconds(20);
    /** A ping unanswered this long closes the connection (the sidecar then reconnects with backoff). */
    public static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);
    /** The server lets clients ping this often at most (more is a misbehaving client). */
    public static final Duration MIN_CLIENT_PING_INTERVAL = Duration.ofSeconds(10);
    /** Largest message either side accepts: a config push of a big mesh, well below a memory risk. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    private static final String TLS13 = "TLSv1.3";
    /** The buffers of the control plane's connections: the process's shared pool, not a pool of gRPC's own. */
    static final ByteBufAllocator ALLOCATOR = ByteBufAllocator.DEFAULT;

    private MeshTransport() {}

    /** Set by tests to run the transport on the JDK's TLS where BoringSSL loads; null: the normal choice. */
    static volatile SslProvider forcedProvider;

    /** BoringSSL when its native library loads (and offers ALPN, which gRPC needs), else the JDK's TLS. */
    static SslProvider provider() {
        SslProvider forced = forcedProvider;
        if (forced != null) return forced;
        return OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The control plane's SPIFFE ID in {@code trustDomain}. */
    public static SpiffeId controlPlaneId(String trustDomain) {
        return new SpiffeId(trustDomain, CONTROL_PLANE_NAMESPACE, CONTROL_PLANE_ACCOUNT);
    }

    /** A server builder on {@code address} with the mesh's TLS and the caller interceptor; add services and start it. */
    public static NettyServerBuilder server(InetSocketAddress address, MeshCredentials credentials, Clock clock) throws SSLException {
        SvidVerifier verifier = new SvidVerifier(clock);
        SslContext tls = GrpcSslContexts.configure(SslContextBuilder.forServer(new SvidKeyManager(credentials::svid))
                        .trustManager(new SvidTrustManager(verifier, credentials::bundle, id -> true, "an SVID of the mesh"))
                        .clientAuth(ClientAuth.OPTIONAL)
                        .protocols(TLS13), provider())
                .build();
        return NettyServerBuilder.forAddress(address)
                .sslContext(tls)
                .withChildOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .intercept(new CallerInterceptor(verifier, credentials::bundle))
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .permitKeepAliveTime(MIN_CLIENT_PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true);
    }

    /**
     * A channel to the server at {@code host:port} that must prove {@code expectedServer}. Its connections
     * present the credentials' SVID of the moment (none before the first one).
     */
    public static ManagedChannel channel(String host, int port, MeshCredentials credentials, SpiffeId expectedServer, Clock clock)
            throws SSLException {
        SvidVerifier verifier = new SvidVerifier(clock);
        SslContext tls = GrpcSslContexts.configure(SslContextBuilder.forClient()
                        .keyManager(new SvidKeyManager(credentials::svid))
                        .trustManager(new SvidTrustManager(verifier, credentials::bundle, expectedServer::equals, expectedServer.toString()))
                        .protocols(TLS13), provider())
                .build();
        return NettyChannelBuilder.forAddress(host, port)
                .sslContext(tls)
                .withOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .keepAliveTime(KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(true)
                .build();
    }
}
