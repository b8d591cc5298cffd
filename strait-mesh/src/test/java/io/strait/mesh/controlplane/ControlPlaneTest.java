package io.strait.mesh.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.strait.mesh.api.v1.CertificateServiceGrpc;
import io.strait.mesh.api.v1.ConfigDiscoveryServiceGrpc;
import io.strait.mesh.api.v1.CreateCertificateRequest;
import io.strait.mesh.api.v1.CreateCertificateResponse;
import io.strait.mesh.api.v1.DiscoveryRequest;
import io.strait.mesh.api.v1.DiscoveryResponse;
import io.strait.mesh.api.v1.ErrorDetail;
import io.strait.mesh.api.v1.HeartbeatRequest;
import io.strait.mesh.api.v1.Node;
import io.strait.mesh.api.v1.RegisterRequest;
import io.strait.mesh.api.v1.RegistryServiceGrpc;
import io.strait.mesh.api.v1.Workload;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.Svid;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.transport.MeshCredentials;
import io.strait.mesh.transport.MeshTransport;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane process over real sockets: a sidecar's bootstrap with a join token over TLS, its
 * registration with the SVID it got, and the admin listener showing both.
 */
class ControlPlaneTest {
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    private ControlPlaneConfig config;
    private ControlPlane cp;

    @BeforeEach
    void start() throws Exception {
        config = new ControlPlaneConfig("cluster.local", dir, new ControlPlaneConfig.CaConfig(null, null, null, null, dir.resolve("ca")),
                new ControlPlaneConfig.SvidConfig(Duration.ofHours(1)));
        cp = ControlPlane.start(config, ANY, ANY, Clock.systemUTC(), List.of());
    }

    @AfterEach
    void stop() throws Exception {
        for (ManagedChannel c : channels) c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        cp.close();
    }

    @Test
    void aSidecarBootstrapsWithItsJoinTokenThenRegistersWithItsSvid() throws Exception {
        SpiffeId orders = new SpiffeId("cluster.local", "shop", "orders");
        String token = cp.tokens().create("shop", "orders", Duration.ofHours(1), 1).join().token();
        WorkloadKey key = WorkloadKey.generate();
        CreateCertificateResponse issued = certificates(new MeshCredentials(null, cp.bundle()))
                .createCertificate(CreateCertificateRequest.newBuilder().setCsrPem(key.csrPem(orders)).setJoinToken(token).build());
        assertThat(issued.getSpiffeId()).isEqualTo(orders.uri());

        MeshCredentials mine = new MeshCredentials(new Svid(chain(issued), key.privateKey()), cp.bundle());
        var registry = RegistryServiceGrpc.newBlockingStub(channel(mine)).withDeadlineAfter(10, TimeUnit.SECONDS);
        registry.register(RegisterRequest.newBuilder().setWorkload(Workload.newBuilder().setInstanceId("orders-1").setService("orders")
                .setNamespace("shop").setServiceAccount("orders").setAddress("127.0.0.1:15006").addLabels(io.strait.mesh.api.v1.Label.newBuilder().setKey("version").setValue("v1"))).build());
        assertThat(registry.heartbeat(HeartbeatRequest.newBuilder().setInstanceId("orders-1").build()).getKnown()).isTrue();

        assertThat(get("/ready").statusCode()).isEqualTo(200);
        String status = get("/status").body();
        assertThat(status).contains("\"instanceId\" : \"orders-1\"", "\"identity\" : \"spiffe://cluster.local/ns/shop/sa/orders\"",
                "\"role\" : \"signing-root\"").doesNotContain("PRIVATE KEY", token);
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("strait_mesh_svids_issued_total{kind=\"first\"} 1", "strait_mesh_workloads 1",
                "strait_mesh_ca_cert_expiry_seconds{role=\"signing-root\"", "strait_build_info{java_version=");
        HttpResponse<String> openMetrics = http.send(HttpRequest.newBuilder(URI.create(admin("/metrics")))
                .header("Accept", "application/openmetrics-text; version=1.0.0").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(openMetrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
        assertThat(openMetrics.body()).contains("strait_mesh_workloads 1").endsWith("# EOF\n");
        assertThat(get("/trust-bundle").body()).startsWith("-----BEGIN CERTIFICATE-----").isEqualTo(cp.bundle().pem());
    }

    @Test
    void aSidecarsRefusalIsShownInStatusAndKeptAfterItsStreamEnds() throws Exception {
        SpiffeId orders = new SpiffeId("cluster.local", "shop", "orders");
        String token = cp.tokens().create("shop", "orders", Duration.ofHours(1), 1).join().token();
        WorkloadKey key = WorkloadKey.generate();
        CreateCertificateResponse issued = certificates(new MeshCredentials(null, cp.bundle()))
                .createCertificate(CreateCertificateRequest.newBuilder().setCsrPem(key.csrPem(orders)).setJoinToken(token).build());
        MeshCredentials mine = new MeshCredentials(new Svid(chain(issued), key.privateKey()), cp.bundle());
        ManagedChannel channel = channel(mine);
        RegistryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .register(RegisterRequest.newBuilder().setWorkload(Workload.newBuilder().setInstanceId("orders-1").setService("orders")
                        .setNamespace("shop").setServiceAccount("orders").setAddress("127.0.0.1:15006")).build());

        java.util.concurrent.LinkedBlockingQueue<DiscoveryResponse> got = new java.util.concurrent.LinkedBlockingQueue<>();
        StreamObserver<DiscoveryRequest> out = ConfigDiscoveryServiceGrpc.newStub(channel).streamConfig(new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse r) {
                got.add(r);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        String type = io.strait.mesh.xds.TypeUrls.TRUST_BUNDLE;
        out.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setInstanceId("orders-1").setService("orders").setNamespace("shop"))
                .setTypeUrl(type).build());
        DiscoveryResponse first = got.poll(10, TimeUnit.SECONDS);
        assertThat(first).as("the control plane pushes the trust bundle").isNotNull();
        out.onNext(DiscoveryRequest.newBuilder().setTypeUrl(type).setVersionInfo("").setResponseNonce(first.getNonce())
                .setErrorDetail(ErrorDetail.newBuilder().setMessage("trust bundle: no root for cluster.local")).build());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get("/status").body())
                .contains("\"streamErrors\" : {", "\"orders-1\" : {", "trust bundle: no root for cluster.local"));
        out.onCompleted(); // the sidecar goes: its refusal stays visible
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String status = get("/status").body();
            assertThat(status.substring(status.indexOf("\"streams\""), status.indexOf("\"streamErrors\""))).doesNotContain("orders-1");
            assertThat(status.substring(status.indexOf("\"streamErrors\""))).contains("trust bundle: no root for cluster.local");
        });
    }

    @Test
    void aUsedJoinTokenIsRefusedAndCounted() throws Exception {
        SpiffeId orders = new SpiffeId("cluster.local", "shop", "orders");
        String token = cp.tokens().create("shop", "orders", Duration.ofHours(1), 1).join().token();
        var stub = certificates(new MeshCredentials(null, cp.bundle()));
        stub.createCertificate(CreateCertificateRequest.newBuilder().setCsrPem(WorkloadKey.generate().csrPem(orders)).setJoinToken(token).build());
        assertThatThrownBy(() -> stub.createCertificate(CreateCertificateRequest.newBuilder()
                        .setCsrPem(WorkloadKey.generate().csrPem(orders)).setJoinToken(token).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(get("/metrics").body()).contains("strait_mesh_svid_requests_refused_total{reason=\"token_refused\"} 1");
    }

    @Test
    void theAdminListenerAnswersGetOnlyAndNamesItsEndpoints() throws Exception {
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(admin("/status")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        HttpResponse<String> unknown = get("/tokens");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"error\":\"not_found\"", "/trust-bundle");
    }

    @Test
    void anApiAddressInUseIsAStartErrorNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            InetSocketAddress busy = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            ControlPlaneConfig other = new ControlPlaneConfig("cluster.local", dir.resolve("other"),
                    new ControlPlaneConfig.CaConfig(null, null, null, null, dir.resolve("other-ca")), new ControlPlaneConfig.SvidConfig(Duration.ofHours(1)));
            assertThatThrownBy(() -> ControlPlane.start(other, busy, ANY, Clock.systemUTC(), List.of()))
                    .isInstanceOf(ControlPlaneException.class)
                    .hasMessageStartingWith("api: cannot listen on " + busy);
        }
    }

    private CertificateServiceGrpc.CertificateServiceBlockingStub certificates(MeshCredentials credentials) throws Exception {
        return CertificateServiceGrpc.newBlockingStub(channel(credentials)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private ManagedChannel channel(MeshCredentials credentials) throws Exception {
        ManagedChannel c = MeshTransport.channel("127.0.0.1", cp.apiPort(), credentials, MeshTransport.controlPlaneId("cluster.local"),
                Clock.systemUTC());
        channels.add(c);
        return c;
    }

    private static List<X509Certificate> chain(CreateCertificateResponse r) throws Exception {
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (String pem : r.getCertChainPemList()) {
            out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
        }
        return out;
    }

    private String admin(String path) {
        return "http://127.0.0.1:" + cp.adminPort() + path;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(admin(path))).build(), HttpResponse.BodyHandlers.ofString());
    }
}
