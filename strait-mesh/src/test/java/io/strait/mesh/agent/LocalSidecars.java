package io.strait.mesh.agent;

import io.strait.mesh.controlplane.ControlPlane;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.mesh.sidecar.SidecarConfigReader;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Sidecars (a {@link MeshAgent} each, as {@code strait sidecar} runs one) joining a control plane in this JVM, as an
 * operator starts them: a join token in a file, the control plane's current trust bundle in {@code bundle.pem}, a
 * config file's text; all on loopback ports picked by the system. Namespace {@code shop}, account = service.
 */
final class LocalSidecars implements AutoCloseable {
    private final Path dir;
    private final Supplier<ControlPlane> controlPlane;
    private final List<MeshAgent> agents = new ArrayList<>();

    /** @param controlPlane the control plane now (a test may restart it) */
    LocalSidecars(Path dir, Supplier<ControlPlane> controlPlane) {
        this.dir = dir;
        this.controlPlane = controlPlane;
    }

    /** A sidecar for {@code service} in front of the app on {@code appPort}, started and holding its first SVID. */
    MeshAgent start(String service, int appPort) throws Exception {
        ControlPlane cp = controlPlane.get();
        String token = cp.tokens().create("shop", service, Duration.ofHours(1), 1).join().token();
        Files.writeString(dir.resolve(service + ".token"), token);
        Files.writeString(dir.resolve("bundle.pem"), cp.bundle().pem());
        SidecarConfig c = SidecarConfigReader.parse("""
                service: %s
                namespace: shop
                serviceAccount: %s
                labels: {app: %s}
                controlPlane: {address: 127.0.0.1:%d, trustBundleFile: bundle.pem, joinTokenFile: %s.token}
                inbound: {port: 0, appPort: %d, address: 127.0.0.1}
                outbound: {port: 0}
                admin: {port: 0}
                """.formatted(service, service, service, cp.apiPort(), service, appPort), "sidecar.yaml", dir);
        MeshAgent a = MeshAgent.start(c, Clock.systemUTC());
        agents.add(a);
        return a;
    }

    /** Stops one sidecar (it deregisters) before the others. */
    void stop(MeshAgent a) {
        agents.remove(a);
        a.close();
    }

    /** The app's call through its sidecar's outbound port, used as an HTTP proxy ({@code curl -x}). */
    static HttpResponse<String> call(MeshAgent from, String url) throws Exception {
        HttpClient viaSidecar = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", from.engine().outboundPort()))).build();
        return viaSidecar.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        agents.forEach(MeshAgent::close);
    }
}
