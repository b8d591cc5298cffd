package io.strait.cli;

import io.strait.cli.apikey.ApiKeyCommand;
import io.strait.cli.authz.AuthzCommand;
import io.strait.cli.controlplane.ControlPlaneCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code strait}: the one command users run. */
@Command(name = "strait", mixinStandardHelpOptions = true, version = "strait 0.1.0",
        description = "API gateway and service mesh proxy.",
        subcommands = {GatewayCommand.class, ValidateCommand.class, DemoCommand.class, ApiKeyCommand.class,
                ControlPlaneCommand.class, AuthzCommand.class, io.strait.cli.sidecar.SidecarCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("strait: " + e.getMessage());
                    return 1;
                })
                .execute(args);
        System.exit(code);
    }
}
