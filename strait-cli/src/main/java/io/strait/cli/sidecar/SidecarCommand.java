package io.strait.cli.sidecar;

import io.strait.config.load.ConfigException;
import io.strait.mesh.agent.MeshAgent;
import io.strait.mesh.agent.MeshAgentException;
import io.strait.mesh.sidecar.AppSupervisor;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.mesh.sidecar.SidecarConfigReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    private static final Logger log = LoggerFactory.getLogger(SidecarCommand.class);
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the sidecar's config file")
    Path config;

    /** Defaults of the options, shared by picocli's model and {@link #parseCommon}. */
    static final String DEFAULT_READY_TIMEOUT = "120";
    static final String DEFAULT_STOP_GRACE = "20";

    @Option(names = "--ready-timeout", paramLabel = "SECONDS", defaultValue = DEFAULT_READY_TIMEOUT,
            description = "with a command: seconds the sidecar may take to be ready before the app is given up (default ${DEFAULT-VALUE})")
    long readyTimeoutSeconds;

    @Option(names = "--stop-grace", paramLabel = "SECONDS", defaultValue = DEFAULT_STOP_GRACE,
            description = "with a command: seconds the app has after SIGTERM before SIGKILL (default ${DEFAULT-VALUE})")
    long stopGraceSeconds;

    @Parameters(arity = "0..*", paramLabel = "CMD", description = "the app to run once the sidecar is ready (after --)")
    List<String> command;

    /**
     * The command for the forms a sidecar is started with ({@code --config FILE}, {@code --ready-timeout N},
     * {@code --stop-grace N}, each also as {@code --name=value}, then {@code -- CMD ARGS}), parsed without picocli; empty
     * for anything else (help, a version, an unknown or repeated option, a missing or bad value), which picocli then
     * parses and answers as usual. Why: picocli's classes are Java 5 bytecode, which the JDK's AOT cache cannot hold,
     * and building its model costs a sidecar about 0.2 s of a start-to-ready budget of 1 s; sidecars start by the
     * hundred. The options mean the same either way ({@code SidecarCommandParseTest} holds the two to that).
     */
    public static Optional<SidecarCommand> parseCommon(String[] args) {
        SidecarCommand c = new SidecarCommand();
        c.readyTimeoutSeconds = Long.parseLong(DEFAULT_READY_TIMEOUT);
        c.stopGraceSeconds = Long.parseLong(DEFAULT_STOP_GRACE);
        Set<String> seen = new HashSet<>();
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            String name = a;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) return Optional.empty();
                value = args[++i];
            }
            if (!seen.add(name) || value.isEmpty()) return Optional.empty();
            try {
                switch (name) {
                    case "--config" -> c.config = Path.of(value);
                    case "--ready-timeout" -> c.readyTimeoutSeconds = Long.parseLong(value);
                    case "--stop-grace" -> c.stopGraceSeconds = Long.parseLong(value);
                    default -> {
                        return Optional.empty();
                    }
                }
            } catch (RuntimeException e) { // a bad number or path: picocli says what is wrong with it
                return Optional.empty();
            }
        }
        if (c.config == null) return Optional.empty();
        c.command = i < args.length ? List.of(Arrays.copyOfRange(args, i, args.length)) : null;
        return Optional.of(c);
    }

    private PrintWriter out() {
        if (spec != null) return spec.commandLine().getOut();
        if (out == null) out = new PrintWriter(System.out, true);
        return out;
    }

    private PrintWriter err() {
        if (spec != null) return spec.commandLine().getErr();
        if (err == null) err = new PrintWriter(System.err, true);
        return err;
    }

    /** The streams of a command parsed by {@link #parseCommon} (picocli's otherwise). */
    private PrintWriter out;
    private PrintWriter err;

    @Override
    public Integer call() throws InterruptedException {
        if (log.isDebugEnabled()) {
            ProcessHandle.current().info().startInstant().ifPresent(t -> log.debug("sidecar: command parsed {} ms after the process started",
                    Duration.between(t, Instant.now()).toMillis()));
        }
        SidecarConfig sidecar;
        try {
            long t = System.nanoTime();
            sidecar = SidecarConfigReader.load(config);
            log.debug("sidecar: config read in {} ms", (System.nanoTime() - t) / 1_000_000);
        } catch (ConfigException e) {
            for (String line : e.errors()) err().println("strait sidecar: " + line);
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
            err().println("strait sidecar: " + e.getMessage());
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
            err().println("strait sidecar: --ready-timeout must be at least 1 and --stop-grace at least 0");
            return 2;
        }
        CompletableFuture<MeshAgent> joined = CompletableFuture.supplyAsync(() -> {
            try {
                MeshAgent agent = MeshAgent.start(sidecar, Clock.systemUTC());
                ready(agent);
                return agent;
            } catch (MeshAgentException e) {
                err().println("strait sidecar: " + e.getMessage());
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
        io.strait.proxy.runtime.LogReopenSignal.install(() -> agent.engine().proxy());
        out().println("strait sidecar: " + e.config().service() + " ready: inbound port " + e.inboundPort()
                + " (mTLS), outbound port " + e.outboundPort() + ", admin port " + e.adminPort());
        out().flush();
        if (log.isDebugEnabled()) {
            ProcessHandle.current().info().startInstant().ifPresent(t -> log.debug("sidecar {}: ready {} ms after the process started",
                    e.config().service(), Duration.between(t, Instant.now()).toMillis()));
        }
    }
}
