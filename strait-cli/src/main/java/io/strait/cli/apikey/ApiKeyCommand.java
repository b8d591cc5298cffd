package io.strait.cli.apikey;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code strait apikey create|list|revoke}: manages API keys in the file or Redis store. */
@Command(name = "apikey", mixinStandardHelpOptions = true,
        description = "Creates, lists and revokes API keys (only their hashes are stored).",
        subcommands = {CreateCommand.class, ListCommand.class, RevokeCommand.class})
public final class ApiKeyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
