package io.strait.cli.controlplane;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strait control-plane token create}: join tokens for sidecars' first SVID. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Creates join tokens (shown once; only their hashes are stored).",
        subcommands = {TokenCreateCommand.class})
public final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
