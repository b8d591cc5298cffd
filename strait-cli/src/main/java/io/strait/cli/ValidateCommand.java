package io.strait.cli;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.load.ConfigWarnings;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.GatewayFilters;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strait validate FILE}: exit 0 when valid (its warnings, {@link ConfigWarnings}, on stdout), 1 with every
 * error, each naming its path.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Checks a configuration file and lists every error, then its warnings.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "configuration file (YAML)")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            StraitConfig c = ConfigLoader.load(file, GatewayFilters.CATALOG);
            List<String> warnings = ConfigWarnings.of(c);
            out.printf("%s: valid (%d listener(s), %d cluster(s), %d route(s))%s%n", file, c.listeners().size(),
                    c.clusters().size(), c.routes().size(), warnings.isEmpty() ? "" : ", " + warnings.size() + " warning(s):");
            for (String w : warnings) out.println("  warning: " + w);
            out.flush();
            return 0;
        } catch (ConfigException e) {
            err.printf("%s: %d error(s)%n", file, e.errors().size());
            for (String error : e.errors()) err.println("  " + error);
            err.flush();
            return 1;
        }
    }
}
