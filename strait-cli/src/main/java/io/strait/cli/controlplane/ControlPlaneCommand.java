package io.strait.cli.controlplane;

import io.strait.config.load.ConfigException;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.config.ControlPlaneConfigReader;
import io.strait.mesh.controlplane.ControlPlane;
import io.strait.mesh.controlplane.ControlPlaneException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strait control-plane}: the mesh's control plane. {@code --config FILE} runs it until SIGTERM or
 * Ctrl-C (the API on {@code api.address}, admin on {@code admin.address}); {@code token create} makes join
 * tokens in its data directory.
 */
@Command(name = "control-plane", mixinStandardHelpOptions = true,
        description = "The service mesh's control plane: the CA, join tokens, the registry, the sidecars' API (15012) and admin (15014).",
        subcommands = {TokenCommand.class, CaCommand.class})
public final class ControlPlaneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "the control plane's config file (trustDomain, dataDir, ca, svid, registry, api, admin)")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        if (config == null) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }
        ControlPlane cp;
        try {
            cp = ControlPlane.start(ControlPlaneConfigReader.load(config), Clock.systemUTC(), List.of());
        } catch (ConfigException e) {
            for (String line : e.errors()) spec.commandLine().getErr().println("strait control-plane: " + line);
            return 1;
        } catch (ControlPlaneException e) {
            spec.commandLine().getErr().println("strait control-plane: " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().println("strait control-plane: serving the mesh API on port " + cp.apiPort() + " (mTLS), admin on port "
                + cp.adminPort() + "; Ctrl-C stops it");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cp.close();
            stopped.countDown();
        }, "strait-shutdown"));
        stopped.await();
        return 0;
    }

    /** The config given with {@code --config}, or null; a subcommand takes its data directory from it. */
    ControlPlaneConfig configOrNull() throws ConfigException {
        return config == null ? null : ControlPlaneConfigReader.load(config);
    }
}
