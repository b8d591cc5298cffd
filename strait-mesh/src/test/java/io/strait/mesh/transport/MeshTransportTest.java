package io.strait.mesh.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslProvider;
import io.strait.mesh.api.Callers;
import io.strait.mesh.api.v1.CertificateServiceGrpc;
import io.strait.mesh.api.v1.CreateCertificateRequest;
import io.strait.mesh.api.v1.CreateCertificateResponse;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.MutableClock;
import io.strait.mesh.testing.TestPki;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The control plane's transport over real sockets and real mTLS: who may connect, and who the server says calls. */
class MeshTransportTest {
    private static final String TD = TestPki.TD;
    private static final SpiffeId CONTROL_PLANE = MeshTransport.controlPlaneId(TD);
    private static final SpiffeId ORDERS = new SpiffeId(TD, "shop", "orders");

    private final MutableClock serverClock = new MutableClock(Instant.now());
    private final List<ManagedChannel> channels = new ArrayList<>();
    private CaMaterial rootA;
    private CertificateAuthority caA;
    private MeshCredentials serverCredentials;
    private Server server;

    @BeforeEach
    void startServer() throws Exception {
        rootA = TestPki.root(Instant.now(), Duration.ofDays(365));
        caA = TestPki.ca(rootA, Duration.ofHours(1), Clock.systemUTC());
        serverCredentials = new MeshCredentials(svid(caA, CONTROL_PLANE), caA.bundle());
        server = MeshTransport.server(new InetSocketAddress("127.0.0.1", 0), serverCredentials, serverClock)
                .addService(new WhoAmI())
                .build()
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel c : channels) c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** The provider these tests run on: BoringSSL, which loads on every machine the project builds on. */
    SslProvider expectedProvider() {
        return SslProvider.OPENSSL;
    }

    @Test
    void theTransportRunsOnTheExpectedProvider() {
        assertThat(MeshTransport.provider()).isEqualTo(expectedProvider());
    }

    @Test
    void aClientWithoutACertificateIsServedWithNoCaller() throws Exception {
        assertThat(whoAmI(new MeshCredentials(null, caA.bundle()), CONTROL_PLANE)).isEqualTo("(none)");
    }

    @Test
    void aClientWithItsSvidIsServedAsItsIdentity() throws Exception {
        assertThat(whoAmI(new MeshCredentials(svid(caA, ORDERS), caA.bundle()), CONTROL_PLANE)).isEqualTo(ORDERS.uri());
    }

    @Test
    void aClientCertificateFromAnotherCaFailsTheHandshake() throws Exception {
        CertificateAuthority other = TestPki.ca(TestPki.root(Instant.now(), Duration.ofDays(365)), Duration.ofHours(1), Clock.systemUTC());
        MeshCredentials stranger = new MeshCredentials(svid(other, ORDERS), caA.bundle());
        assertThatThrownBy(() -> whoAmI(stranger, CONTROL_PLANE))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void aServerThatIsNotTheExpectedIdentityIsRefusedByTheClient() throws Exception {
        serverCredentials.svid(svid(caA, ORDERS)); // a valid SVID of the mesh, but not the control plane's
        assertThatThrownBy(() -> whoAmI(new MeshCredentials(null, caA.bundle()), CONTROL_PLANE))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(causes(e)).contains("the peer is " + ORDERS + ", expected " + CONTROL_PLANE);
                });
    }

    @Test
    void aCallerWhoseSvidExpiredOnAnOpenConnectionIsUnauthenticated() throws Exception {
        ManagedChannel channel = channel(new MeshCredentials(svid(caA, ORDERS), caA.bundle()), CONTROL_PLANE);
        assertThat(call(channel)).isEqualTo(ORDERS.uri());
        serverClock.advance(Duration.ofHours(2)); // past the SVID's hour
        assertThatThrownBy(() -> call(channel))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).contains("expired");
                });
    }

    @Test
    void aRotatedServerSvidReachesNewConnections() throws Exception {
        CaMaterial rootB = TestPki.root(Instant.now(), Duration.ofDays(365));
        CertificateAuthority caB = TestPki.ca(rootB, Duration.ofHours(1), Clock.systemUTC());
        TrustBundle both = caA.bundle().withRoot(rootB.root());
        serverCredentials.bundle(both);
        ManagedChannel before = channel(new MeshCredentials(null, caA.bundle()), CONTROL_PLANE);
        assertThat(call(before)).isEqualTo("(none)");

        serverCredentials.svid(svid(caB, CONTROL_PLANE));
        // a client that trusts only the new root can connect now: the server presents the new SVID
        assertThat(whoAmI(new MeshCredentials(null, TrustBundle.of(TD, rootB.root())), CONTROL_PLANE)).isEqualTo("(none)");
        // and the connection made before goes on
        assertThat(call(before)).isEqualTo("(none)");
    }

    private static Svid svid(CertificateAuthority ca, SpiffeId id) throws Exception {
        WorkloadKey key = WorkloadKey.generate();
        return new Svid(ca.sign(key.csrDer(id), id).chain(), key.privateKey());
    }

    private String whoAmI(MeshCredentials credentials, SpiffeId expected) throws Exception {
        return call(channel(credentials, expected));
    }

    private ManagedChannel channel(MeshCredentials credentials, SpiffeId expected) throws Exception {
        ManagedChannel c = MeshTransport.channel("127.0.0.1", server.getPort(), credentials, expected, Clock.systemUTC());
        channels.add(c);
        return c;
    }

    private static String call(ManagedChannel channel) {
        return CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .createCertificate(CreateCertificateRequest.getDefaultInstance()).getSpiffeId();
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) b.append(c.getMessage()).append(" | ");
        return b.toString();
    }

    /** Answers with the caller the transport saw. */
    private static final class WhoAmI extends CertificateServiceGrpc.CertificateServiceImplBase {
        @Override
        public void createCertificate(CreateCertificateRequest request, StreamObserver<CreateCertificateResponse> out) {
            SpiffeId caller = Callers.CALLER.get();
            out.onNext(CreateCertificateResponse.newBuilder().setSpiffeId(caller == null ? "(none)" : caller.uri()).build());
            out.onCompleted();
        }
    }
}
