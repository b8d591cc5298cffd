package io.strait.cli;

import io.strait.cli.apikey.ApiKeyCommand;
import io.strait.cli.authz.AuthzCommand;
import io.strait.cli.controlplane.ControlPlaneCommand;
import io.strait.cli.explain.ExplainCommand;
import io.strait.cli.inject.InjectCommand;
import io.strait.cli.sidecar.SidecarCommand;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code strait}: the one command users run. */
@Command(name = "strait", mixinStandardHelpOptions = true, version = "strait 0.1.0",
        description = "API gateway and service mesh proxy.",
        subcommands = {GatewayCommand.class, ValidateCommand.class, DemoCommand.class, ApiKeyCommand.class,
                ControlPlaneCommand.class, AuthzCommand.class, SidecarCommand.class, CompletionCommand.class, ExplainCommand.class,
                InjectCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        boolean sidecar = args.length > 0 && args[0].equals(SIDECAR);
        if (sidecar) {
            var common = SidecarCommand.parseCommon(Arrays.copyOfRange(args, 1, args.length));
            if (common.isPresent()) System.exit(runSidecar(common.get()));
        }
        CommandLine cl = sidecar ? new CommandLine(new SidecarCommand()).setCommandName("strait " + SIDECAR) : new CommandLine(new Main());
        int code = cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("strait: " + e.getMessage());
                    return 1;
                })
                .execute(sidecar ? Arrays.copyOfRange(args, 1, args.length) : args);
        System.exit(code);
    }

    /** A sidecar command parsed without picocli ({@link SidecarCommand#parseCommon}); failures as picocli's handler has them. */
    private static int runSidecar(SidecarCommand command) {
        try {
            return command.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("strait: interrupted");
            return 1;
        } catch (RuntimeException e) {
            System.err.println("strait: " + e.getMessage());
            return 1;
        }
    }

    /**
     * {@code strait sidecar} is parsed by its own command alone: sidecars start by the hundred and their
     * start-to-ready time counts, and picocli builds the model of every subcommand before it parses (about
     * 0.15 s of a sidecar's start: picocli's classes are Java 5 bytecode, which the JDK's AOT cache cannot hold).
     * The command, its options and its messages are the same either way.
     */
    private static final String SIDECAR = "sidecar";
}
