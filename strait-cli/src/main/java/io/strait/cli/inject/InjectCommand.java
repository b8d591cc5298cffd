package io.strait.cli.inject;

import io.strait.mesh.inject.InjectSettings;
import io.strait.mesh.inject.ManifestInjector;
import io.strait.mesh.inject.SidecarInjector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strait inject -f deployment.yaml}: prints the Kubernetes YAML with Strait's sidecar added to every workload
 * (Istio's {@code istioctl kube-inject}, Linkerd's {@code linkerd inject}), offline; the control plane's webhook does the
 * same at admission. {@code kubectl apply -f <(strait inject -f app.yaml)}.
 */
@Command(name = "inject", mixinStandardHelpOptions = true, description = {"Adds the Strait sidecar to the workloads of Kubernetes YAML and prints it.",
        "Documents that are not workloads, or that have the sidecar already, are printed as they were."})
public final class InjectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE", description = "Kubernetes YAML (one or more documents); - for stdin")
    String file;

    @Option(names = "--image", paramLabel = "IMAGE", description = "the sidecar's image (default: " + InjectSettings.DEFAULT_IMAGE + ")")
    String image;

    @Option(names = "--image-pull-policy", paramLabel = "POLICY", description = "Always, IfNotPresent (default) or Never")
    String pullPolicy;

    @Option(names = "--control-plane", paramLabel = "HOST:PORT", description = "the control plane's API (default: " + InjectSettings.DEFAULT_CONTROL_PLANE + ")")
    String controlPlane;

    @Option(names = "--trust-domain", paramLabel = "DOMAIN", description = "the mesh's trust domain (default: cluster.local)")
    String trustDomain;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        String yaml;
        try {
            yaml = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(file));
        } catch (IOException e) {
            err.println("strait inject: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
        ManifestInjector injector = new ManifestInjector(new SidecarInjector(new InjectSettings(image, pullPolicy, controlPlane, trustDomain)));
        ManifestInjector.Result result;
        try {
            result = injector.inject(yaml, file.equals("-") ? "stdin" : file);
        } catch (IllegalArgumentException e) {
            err.println("strait inject: " + e.getMessage());
            return 1;
        }
        if (!result.refusals().isEmpty()) {
            err.printf("strait inject: %d workload(s) cannot be injected:%n", result.refusals().size());
            result.refusals().forEach(r -> err.println("  " + r));
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(result.yaml());
        out.flush();
        long injected = result.outcomes().stream().filter(SidecarInjector.Outcome::changed).count();
        err.printf("strait inject: %d workload(s) injected, %d document(s) unchanged%n", injected, result.outcomes().size() - injected);
        return 0;
    }
}
