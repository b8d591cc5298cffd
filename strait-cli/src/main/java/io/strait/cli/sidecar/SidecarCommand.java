package io.strait.cli.sidecar;

import io.strait.config.load.ConfigException;
import io.strait.mesh.agent.MeshAgent;
import io.strait.mesh.agent.MeshAgentException;
import io.strait.mesh.sidecar.AppSupervisor;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.mesh.sidecar.SidecarConfigReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strait sidecar --config FILE [-- CMD ARGS]}: joins the mesh and serves the workload's inbound
 * (mTLS, authorization) and outbound (the app's calls) ports until SIGTERM or Ctrl-C. With a command after
 * {@code --}, runs the app as a child once the sidecar is ready, and exits with the app's exit code after
 * draining ({@link AppSupervisor}).
 */
@Command(name = "sidecar", mixinStandardHelpOptions = true,
        description = "Runs a mesh sidecar beside a service: inbound mTLS (15006), outbound (15001), admin (15000).",
        footer = {"", "With -- CMD ARGS the app runs as a child: it starts once the sidecar is ready,",
                "and the sidecar drains and exits with the app's exit code when it ends."})
public final class SidecarCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the sidecar's config file")
    Path config;

    @Option(names = "--ready-timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "with a command: seconds the sidecar may take to be ready before the app is given up (default ${DEFAULT-VALUE})")
    long readyTimeoutSeconds;

    @Option(names = "--stop-grace", paramLabel = "SECONDS", defaultValue = "20",
            description = "with a command: seconds the app has after SIGTERM before SIGKILL (default ${DEFAULT-VALUE})")
    long stopGraceSeconds;

    @Parameters(arity = "0..*", paramLabel = "CMD", description = "the app to run once the sidecar is ready (after --)")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        SidecarConfig sidecar;
        try {
            sidecar = SidecarConfigReader.load(config);
        } catch (ConfigException e) {
            for (String line : e.errors()) spec.commandLine().getErr().println("strait sidecar: " + line);
            return 1;
        }
        if (command == null || command.isEmpty()) return serve(sidecar);
        return supervise(sidecar);
    }

    private int serve(SidecarConfig sidecar) throws InterruptedException {
        MeshAgent agent;
        try {
            agent = MeshAgent.start(sidecar, Clock.systemUTC());
        } catch (MeshAgentException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("strait sidecar: " + e.getMessage());
            return 1;
        }
        ready(agent);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "strait-shutdown"));
        stopped.await();
        return 0;
    }

    private int supervise(SidecarConfig sidecar) throws InterruptedException {
        if (readyTimeoutSeconds < 1 || stopGraceSeconds < 0) {
            spec.commandLine().getErr().println("strait sidecar: --ready-timeout must be at least 1 and --stop-grace at least 0");
            return 2;
        }
        CompletableFuture<MeshAgent> joined = CompletableFuture.supplyAsync(() -> {
            try {
                MeshAgent agent = MeshAgent.start(sidecar, Clock.systemUTC());
                ready(agent);
                return agent;
            } catch (MeshAgentException e) {
                spec.commandLine().getErr().println("strait sidecar: " + e.getMessage());
                throw new CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        });
        AppSupervisor supervisor = new AppSupervisor(new AppSupervisor.Settings(command, Duration.ofSeconds(readyTimeoutSeconds),
                Duration.ofSeconds(stopGraceSeconds)), () -> {
                    MeshAgent agent = joined.getNow(null);
                    if (agent != null) agent.close();
                });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                supervisor.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "strait-shutdown"));
        return supervisor.run(joined);
    }

    private void ready(MeshAgent agent) {
        var e = agent.engine();
        spec.commandLine().getOut().println("strait sidecar: " + e.config().service() + " ready: inbound port " + e.inboundPort()
                + " (mTLS), outbound port " + e.outboundPort() + ", admin port " + e.adminPort());
        spec.commandLine().getOut().flush();
    }
}
