package io.strait.cli.controlplane;

import io.strait.config.load.ConfigException;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.config.ControlPlaneConfigReader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strait control-plane}: the mesh's control plane. {@code --config FILE} will run the server
 * (not built yet: today it checks the file); {@code token create} makes join tokens in its data directory.
 */
@Command(name = "control-plane", mixinStandardHelpOptions = true,
        description = "The service mesh's control plane (CA, join tokens; the server itself is coming).",
        subcommands = {TokenCommand.class})
public final class ControlPlaneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "the control plane's config file (trustDomain, dataDir, ca, svid)")
    Path config;

    @Override
    public Integer call() {
        if (config == null) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }
        try {
            ControlPlaneConfig c = ControlPlaneConfigReader.load(config);
            spec.commandLine().getErr().println("strait control-plane: " + config + " is valid (trust domain " + c.trustDomain()
                    + ", data in " + c.dataDir() + "), but serving is not built yet");
            return 1;
        } catch (ConfigException e) {
            for (String line : e.errors()) spec.commandLine().getErr().println("strait control-plane: " + line);
            return 1;
        }
    }

    /** The config given with {@code --config}, or null; a subcommand takes its data directory from it. */
    ControlPlaneConfig configOrNull() throws ConfigException {
        return config == null ? null : ControlPlaneConfigReader.load(config);
    }
}
