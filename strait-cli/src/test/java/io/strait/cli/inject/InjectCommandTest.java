package io.strait.cli.inject;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strait inject -f FILE}: the injected YAML on stdout, a summary or the refusals on stderr, and the exit code. */
class InjectCommandTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: orders, namespace: shop}
            spec:
              selector: {matchLabels: {app: orders}}
              template:
                metadata: {labels: {app: orders}}
                spec:
                  containers: [{name: orders, image: orders:1, ports: [{containerPort: 8080}]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: orders}   # kept as written
            spec: {selector: {app: orders}, ports: [{port: 80, targetPort: 8080}]}
            """;

    @TempDir
    Path dir;

    private CliRun inject(String yaml, String... options) throws Exception {
        Path file = dir.resolve("app.yaml");
        Files.writeString(file, yaml);
        String[] args = new String[options.length + 3];
        args[0] = "inject";
        args[1] = "-f";
        args[2] = file.toString();
        System.arraycopy(options, 0, args, 3, options.length);
        return CliRun.of(args);
    }

    @Test
    void printsTheWorkloadsWithTheSidecarAndTheRestAsWritten() throws Exception {
        CliRun r = inject(DEPLOYMENT, "--image", "registry.example.com/strait:0.1.0", "--control-plane", "cp.mesh.svc:15012");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("name: strait-sidecar").contains("image: registry.example.com/strait:0.1.0")
                .contains("address: \"cp.mesh.svc:15012\"").contains("restartPolicy: Always")
                .endsWith("---\napiVersion: v1\nkind: Service\nmetadata: {name: orders}   # kept as written\n"
                        + "spec: {selector: {app: orders}, ports: [{port: 80, targetPort: 8080}]}\n");
        assertThat(r.err()).isEqualTo("strait inject: 1 workload(s) injected, 1 document(s) unchanged\n");
        CliRun again = inject(r.out());
        assertThat(again.out()).isEqualTo(r.out());
        assertThat(again.err()).isEqualTo("strait inject: 0 workload(s) injected, 2 document(s) unchanged\n");
    }

    @Test
    void aWorkloadItCannotInjectIsAnErrorAndNothingIsPrinted() throws Exception {
        CliRun r = inject(DEPLOYMENT.replace(", ports: [{containerPort: 8080}]", ""));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("strait inject: 1 workload(s) cannot be injected:\n"
                + "  deployment/orders: its first container declares no containerPort; set the annotation strait.io/app-port\n");
    }

    @Test
    void aMissingFileIsOneLine() throws Exception {
        CliRun r = CliRun.of("inject", "-f", dir.resolve("nope.yaml").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("strait inject: cannot read " + dir.resolve("nope.yaml"));
    }
}
