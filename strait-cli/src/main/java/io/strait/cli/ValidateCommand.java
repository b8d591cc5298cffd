package io.strait.cli;

import io.strait.gateway.GatewayFilters;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.load.ConfigWarnings;
import io.strait.config.model.StraitConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code strait validate FILE}: exit 0 when valid (with its warnings, {@link ConfigWarnings}, on stdout), 1 with every
 * error, each naming its path.
 */
@Command(name = "validate", description = "Checks a configuration file and lists every error.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "configuration file (YAML)")
    Path file;

    @Override
    public Integer call() {
        try {
            StraitConfig c = ConfigLoader.load(file, GatewayFilters.CATALOG);
            System.out.printf("%s: valid (%d listener(s), %d cluster(s), %d route(s))%n",
                    file, c.listeners().size(), c.clusters().size(), c.routes().size());
            var warnings = ConfigWarnings.of(c);
            if (!warnings.isEmpty()) System.out.printf("%d warning(s):%n", warnings.size());
            for (String w : warnings) System.out.println("  warning: " + w);
            return 0;
        } catch (ConfigException e) {
            System.err.printf("%s: %d error(s)%n", file, e.errors().size());
            for (String err : e.errors()) System.err.println("  " + err);
            return 1;
        }
    }
}
