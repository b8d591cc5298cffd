package io.strait.cli;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.GatewayFilters;
import io.strait.gateway.StandardAuthenticators;
import io.strait.mesh.agent.MeshAgentException;
import io.strait.mesh.agent.MeshGateway;
import io.strait.mesh.sidecar.AppSupervisor;
import io.strait.proxy.runtime.ConfigCompletion;
import io.strait.proxy.runtime.LogReopenSignal;
import io.strait.proxy.runtime.ProxyServer;
import io.strait.proxy.tls.CertificateSources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strait gateway --config FILE}: runs a gateway until SIGTERM/Ctrl-C, then drains. With the file's top-level
 * {@code mesh} section it first joins the mesh ({@link MeshGateway}); a join the control plane refuses ends it with
 * {@link #CANNOT_JOIN}, as a sidecar whose app never started.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, description = "Runs the gateway.")
final class GatewayCommand implements Callable<Integer> {
    /** Exit code when the gateway cannot join the mesh (a refused join token, say): the sidecar's for the same case. */
    static final int CANNOT_JOIN = AppSupervisor.NOT_READY;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "configuration file (YAML)")
    Path config;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        StraitConfig c;
        try {
            c = ConfigLoader.load(config, GatewayFilters.CATALOG);
        } catch (ConfigException e) {
            err.printf("%s: %d error(s)%n", config, e.errors().size());
            for (String line : e.errors()) err.println("  " + line);
            err.flush();
            return 1;
        }
        MeshGateway mesh = null;
        if (c.mesh() != null) {
            try {
                mesh = MeshGateway.join(c.mesh(), Clock.systemUTC());
            } catch (MeshAgentException e) {
                err.printf("%s: cannot join the mesh as %s: %s%n", config, c.mesh().spiffeId(), e.getMessage());
                err.flush();
                return CANNOT_JOIN;
            }
        }
        ProxyServer server;
        try {
            server = ProxyServer.start(c, config, new GatewayFilters(new StandardAuthenticators()),
                    mesh != null ? mesh.certificates() : new CertificateSources(), mesh != null ? mesh : ConfigCompletion.NONE);
        } catch (IllegalArgumentException e) {
            if (mesh != null) mesh.close();
            err.printf("%s: 1 error(s)%n  %s%n", config, e.getMessage());
            err.flush();
            return 1;
        } catch (RuntimeException e) { // a certificate that cannot be loaded, an address already in use, ...
            if (mesh != null) mesh.close();
            err.printf("%s: cannot start: %s%n", config, e.getMessage() == null ? e.toString() : e.getMessage());
            err.flush();
            return 1;
        }
        if (mesh != null) mesh.attach(server);
        ProxyServer running = server;
        LogReopenSignal.install(() -> running);
        runUntilSignal(server, mesh);
        return 0;
    }

    /**
     * Blocks until the JVM is asked to stop; the shutdown hook stops taking the mesh's pushes ({@code mesh} may be null),
     * then drains in-flight requests.
     */
    private static void runUntilSignal(ProxyServer server, AutoCloseable mesh) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (mesh != null) { // first: no push refreshes a draining server
                try {
                    mesh.close();
                } catch (Exception e) {
                    // leaving: the control plane forgets a silent client anyway
                }
            }
            server.shutdown();
            stopped.countDown();
        }, "strait-shutdown"));
        stopped.await();
    }
}
