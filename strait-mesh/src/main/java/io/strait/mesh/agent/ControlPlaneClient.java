package io.strait.mesh.agent;

import io.grpc.ManagedChannel;
import io.strait.mesh.api.v1.CertificateServiceGrpc;
import io.strait.mesh.api.v1.CreateCertificateRequest;
import io.strait.mesh.api.v1.CreateCertificateResponse;
import io.strait.mesh.api.v1.DeregisterRequest;
import io.strait.mesh.api.v1.HeartbeatRequest;
import io.strait.mesh.api.v1.RegisterRequest;
import io.strait.mesh.api.v1.RegisterResponse;
import io.strait.mesh.api.v1.RegistryServiceGrpc;
import io.strait.mesh.api.v1.TelemetryReport;
import io.strait.mesh.api.v1.TelemetryReportResponse;
import io.strait.mesh.api.v1.TelemetryServiceGrpc;
import io.strait.mesh.api.v1.Workload;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.transport.MeshCredentials;
import io.strait.mesh.transport.MeshTransport;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A sidecar's calls to the control plane, each bounded by {@link #DEADLINE}. Blocking: call from the
 * agent's own thread. A connection presents the SVID of the moment it was made, so after the first SVID
 * and after each renewal the agent {@link #reconnect()}s: later calls authenticate with the new one.
 */
final class ControlPlaneClient implements AutoCloseable {
    /** Longest wait for one call's answer. */
    static final Duration DEADLINE = Duration.ofSeconds(10);

    private final String host;
    private final int port;
    private final MeshCredentials credentials;
    private final SpiffeId controlPlane;
    private final Clock clock;
    private volatile ManagedChannel channel;

    ControlPlaneClient(String host, int port, MeshCredentials credentials, SpiffeId controlPlane, Clock clock) throws SSLException {
        this.host = host;
        this.port = port;
        this.credentials = credentials;
        this.controlPlane = controlPlane;
        this.clock = clock;
        this.channel = MeshTransport.channel(host, port, credentials, controlPlane, clock);
    }

    ManagedChannel channel() {
        return channel;
    }

    /** A new channel for later calls (new connections, the current SVID); calls in flight finish on the old one. */
    synchronized ManagedChannel reconnect() throws SSLException {
        ManagedChannel old = channel;
        channel = MeshTransport.channel(host, port, credentials, controlPlane, clock);
        old.shutdown();
        return channel;
    }

    CreateCertificateResponse certificate(String csrPem, String joinToken) {
        CreateCertificateRequest.Builder r = CreateCertificateRequest.newBuilder().setCsrPem(csrPem);
        if (joinToken != null) r.setJoinToken(joinToken);
        return CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .createCertificate(r.build());
    }

    RegisterResponse register(Workload workload) {
        return registry().register(RegisterRequest.newBuilder().setWorkload(workload).build());
    }

    boolean heartbeat(String instanceId) {
        return registry().heartbeat(HeartbeatRequest.newBuilder().setInstanceId(instanceId).build()).getKnown();
    }

    void deregister(String instanceId) {
        registry().deregister(DeregisterRequest.newBuilder().setInstanceId(instanceId).build());
    }

    TelemetryReportResponse report(TelemetryReport report) {
        return TelemetryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).report(report);
    }

    private RegistryServiceGrpc.RegistryServiceBlockingStub registry() {
        return RegistryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ManagedChannel c = channel;
        c.shutdownNow();
        try {
            c.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
