package io.strait.cli;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.GatewayFilters;
import io.strait.gateway.StandardAuthenticators;
import io.strait.proxy.runtime.ProxyServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strait gateway --config FILE}: runs a gateway until SIGTERM/Ctrl-C, then drains. */
@Command(name = "gateway", description = "Runs the gateway.")
final class GatewayCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "configuration file (YAML)")
    Path config;

    @Override
    public Integer call() throws Exception {
        StraitConfig c;
        try {
            c = ConfigLoader.load(config, GatewayFilters.CATALOG);
        } catch (ConfigException e) {
            System.err.printf("%s: %d error(s)%n", config, e.errors().size());
            for (String err : e.errors()) System.err.println("  " + err);
            return 1;
        }
        ProxyServer server;
        try {
            server = ProxyServer.start(c, config, new GatewayFilters(new StandardAuthenticators()));
        } catch (IllegalArgumentException e) {
            System.err.printf("%s: 1 error(s)%n  %s%n", config, e.getMessage());
            return 1;
        } catch (RuntimeException e) { // a certificate that cannot be loaded, an address already in use, ...
            System.err.printf("%s: cannot start: %s%n", config, e.getMessage() == null ? e.toString() : e.getMessage());
            return 1;
        }
        runUntilSignal(server);
        return 0;
    }

    /** Blocks until the JVM is asked to stop; the shutdown hook drains in-flight requests first. */
    static void runUntilSignal(ProxyServer server) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            stopped.countDown();
        }, "strait-shutdown"));
        stopped.await();
    }
}
