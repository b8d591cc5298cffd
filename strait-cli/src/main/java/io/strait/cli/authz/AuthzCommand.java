package io.strait.cli.authz;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strait authz check}: authorization policies, offline. */
@Command(name = "authz", mixinStandardHelpOptions = true,
        description = "Evaluates Istio AuthorizationPolicy files offline.",
        subcommands = {CheckCommand.class})
public final class AuthzCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
