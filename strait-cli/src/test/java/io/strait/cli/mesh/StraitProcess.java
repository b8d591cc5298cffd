package io.strait.cli.mesh;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code strait ...} command in a JVM of its own, on this test's class path, with the JVM options {@code bin/strait}
 * gives that command; everything it prints (stdout and stderr) goes to a log file, whose tail failures quote.
 * {@link #close()} stops it as an operator would (SIGTERM, then SIGKILL after {@link #STOP_GRACE}); {@link #kill()} is
 * SIGKILL at once.
 */
final class StraitProcess implements AutoCloseable {
    /** How long a process may take to be ready: generous, the machine is shared with other builds. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** How long a process has to stop after SIGTERM before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** Lines of the log quoted in a failure. */
    static final int TAIL_LINES = 40;

    /** {@code bin/strait}'s options for a sidecar (the AOT cache aside): a small JVM, C1 only. */
    static final List<String> SIDECAR_JVM = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx128m", "-Xss512k",
            "-XX:ReservedCodeCacheSize=32m", "-XX:TieredStopAtLevel=1", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError",
            "-Dio.netty.leakDetection.level=disabled");
    /** {@code bin/strait}'s options for every other command. */
    static final List<String> DEFAULT_JVM = List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx256m", "-XX:MaxDirectMemorySize=256m",
            "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.leakDetection.level=disabled");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final Path log;
    private final Process process;

    private StraitProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code strait ARGS} with {@code jvm} options; its output goes to {@code log} (appended: a restart keeps the earlier run). */
    static StraitProcess start(String name, Path log, List<String> jvm, List<String> args) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvm);
        if (Runtime.version().feature() >= 24) cmd.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "-Dio.netty.noUnsafe=false"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.strait.cli.Main"));
        cmd.addAll(args);
        Files.writeString(log, "---- " + String.join(" ", args) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        return new StraitProcess(name, log, p);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for a line of the output matching {@code pattern} (the process must stay alive meanwhile) and returns its match. */
    Matcher awaitLine(Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(output());
            if (m.find()) return m;
            if (!process.isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + " before printing '" + pattern + "':\n" + tail());
            Thread.sleep(50); // polling a file another process writes
        }
        throw new IllegalStateException(name + " did not print '" + pattern + "' within " + READY_TIMEOUT + ":\n" + tail());
    }

    /** Waits until {@code GET http://127.0.0.1:PORT/ready} answers 200. */
    void awaitReady(int adminPort) throws Exception {
        URI ready = URI.create("http://127.0.0.1:" + adminPort + "/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready:\n" + tail());
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100); // polling another process's port
        }
        throw new IllegalStateException(name + " not ready within " + READY_TIMEOUT + ":\n" + tail());
    }

    /** Waits for the process to end by itself and returns its exit code. */
    int awaitExit() throws Exception {
        if (!process.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " still running after " + READY_TIMEOUT + ":\n" + tail());
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or deregistered. Returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** The last {@link #TAIL_LINES} lines of the output, for failure messages. */
    String tail() {
        try {
            List<String> lines = output().lines().toList();
            return "---- " + name + " (" + log + "), last lines:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL after {@link #STOP_GRACE}. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
