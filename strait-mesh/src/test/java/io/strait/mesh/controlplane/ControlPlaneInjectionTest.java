package io.strait.mesh.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.config.load.ConfigException;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.config.ControlPlaneConfigReader;
import io.strait.proxy.testing.TestCerts;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane's {@code injection} section: read with its errors' paths, and served over HTTPS by a running control plane. */
class ControlPlaneInjectionTest {
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aControlPlaneWithInjectionServesTheWebhook() throws Exception {
        TestCerts.Ca ca = new TestCerts(dir).ca("injection-ca");
        TestCerts.Issued cert = ca.server("strait-control-plane", "localhost");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ControlPlaneConfig config = ControlPlaneConfigReader.parse("""
                dataDir: data
                injection:
                  address: 127.0.0.1:%d
                  certFile: %s
                  keyFile: %s
                  image: registry.example.com/strait:0.1.0
                """.formatted(port, cert.certFile(), cert.keyFile()), "cp.yaml", dir);
        assertThat(config.injection().settings().controlPlaneAddress()).isEqualTo("strait-control-plane.strait-system.svc:15012");
        String review;
        try (InputStream in = getClass().getResourceAsStream("/inject/admission-review.json")) {
            review = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (ControlPlane cp = ControlPlane.start(config, ANY, ANY, Clock.systemUTC(), List.of())) {
            HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext()).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/inject"))
                    .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode response = JSON.readTree(r.body()).path("response");
            assertThat(response.path("allowed").asBoolean()).isTrue();
            String patch = new String(Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8);
            assertThat(patch).contains("registry.example.com/strait:0.1.0").contains("\"name\":\"strait-sidecar\"");
        }
    }

    @Test
    void itsErrorsNameTheirFields() throws Exception {
        Path key = Files.writeString(dir.resolve("tls.key"), "");
        List<String> errors = catchThrowableOfType(ConfigException.class, () -> ControlPlaneConfigReader.parse("""
                injection:
                  address: nowhere
                  keyFile: tls.key
                  imagePullPolicy: Sometimes
                  controlPlaneAddress: cp
                  imge: strait:1
                """, "cp.yaml", dir)).errors();
        assertThat(key).exists();
        assertThat(errors).containsExactlyInAnyOrder(
                "cp.yaml: injection.imge: unknown field (did you mean 'image'?)",
                "cp.yaml: injection.address: must be host:port, such as 0.0.0.0:15017 (was 'nowhere')",
                "cp.yaml: injection.certFile: is required: the webhook's HTTPS certificate (PEM)",
                "cp.yaml: injection.imagePullPolicy: unknown value 'Sometimes'; expected one of Always, IfNotPresent, Never",
                "cp.yaml: injection.controlPlaneAddress: must be host:port, such as strait-control-plane.strait-system.svc:15012 (was 'cp')");
        assertThat(catchThrowableOfType(ConfigException.class, () -> ControlPlaneConfigReader.parse(
                "injection: {address: 127.0.0.1:15014, certFile: tls.key, keyFile: tls.key}\n", "cp.yaml", dir)).errors())
                .containsExactly("cp.yaml: injection.address: must not be the port of api.address or admin.address (15014)");
    }
}
