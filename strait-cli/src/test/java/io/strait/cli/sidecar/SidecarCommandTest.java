package io.strait.cli.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.cli.Main;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.controlplane.ControlPlane;
import io.strait.mesh.sidecar.AppSupervisor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code strait sidecar --config FILE -- CMD} in process, against a real control plane: the app's exit code is the sidecar's. */
class SidecarCommandTest {
    @TempDir
    Path dir;
    private ControlPlane cp;

    record Run(int code, String out, String err) {}

    private static Run strait(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void startControlPlane() throws Exception {
        ControlPlaneConfig config = new ControlPlaneConfig("cluster.local", dir.resolve("cp"),
                new ControlPlaneConfig.CaConfig(null, null, null, null, dir.resolve("cp/ca")), new ControlPlaneConfig.SvidConfig(Duration.ofHours(1)));
        cp = ControlPlane.start(config, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), List.of());
        Files.writeString(dir.resolve("bundle.pem"), cp.bundle().pem());
    }

    @AfterEach
    void stop() {
        cp.close();
    }

    private Path sidecarFile(String token) throws Exception {
        Files.writeString(dir.resolve("orders.token"), token);
        Path f = dir.resolve("orders.yaml");
        Files.writeString(f, """
                service: orders
                namespace: shop
                serviceAccount: orders
                controlPlane: {address: 127.0.0.1:%d, trustBundleFile: bundle.pem, joinTokenFile: orders.token}
                inbound: {port: 0, appPort: 9, address: 127.0.0.1}
                outbound: {port: 0}
                admin: {port: 0}
                """.formatted(cp.apiPort()));
        return f;
    }

    @Test
    void theAppRunsOnceTheSidecarIsReadyAndItsExitCodeIsTheSidecars() throws Exception {
        String token = cp.tokens().create("shop", "orders", Duration.ofHours(1), 1).join().token();
        Path marker = dir.resolve("ran");
        Run r = strait("sidecar", "--config", sidecarFile(token).toString(), "--", "sh", "-c", "touch " + marker + "; exit 3");
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).contains("strait sidecar: orders ready: inbound port");
        assertThat(marker).exists();
        assertThat(cp.registry().snapshot().service("shop", "orders")).as("deregistered after the app ended").isEmpty();
    }

    @Test
    void aRefusedJoinTokenNeverStartsTheApp() throws Exception {
        Path marker = dir.resolve("ran");
        Run r = strait("sidecar", "--config", sidecarFile("sjt_not-a-real-token-0000000000000000000000000").toString(), "--",
                "sh", "-c", "touch " + marker);
        assertThat(r.code()).isEqualTo(AppSupervisor.NOT_READY);
        assertThat(r.err()).contains("the control plane refused the first certificate: UNAUTHENTICATED").doesNotContain("sjt_not-a-real");
        assertThat(marker).doesNotExist();
    }

    @Test
    void aBadConfigNamesTheField() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "service: Orders\ninbound: {appPort: 0}\n");
        Run r = strait("sidecar", "--config", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("service: must be a DNS label", "controlPlane: is required", "inbound.appPort");
    }
}
