package io.strait.cli.ratelimit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code strait gateway --config FILE} in a JVM of its own (this test's class path), as an operator runs
 * it: what "several gateway processes" means in the rate-limit tests.
 */
final class GatewayProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    final int port;
    final int adminPort;
    private final Process process;
    private final Path log;

    private GatewayProcess(int port, int adminPort, Process process, Path log) {
        this.port = port;
        this.adminPort = adminPort;
        this.process = process;
        this.log = log;
    }

    /** {@code yaml} without admin and listeners: this adds them on free ports. */
    static GatewayProcess start(Path dir, String name, String yaml) throws Exception {
        int port = freePort(), admin = freePort();
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, "admin: {address: 127.0.0.1:" + admin + "}\n"
                + "listeners:\n  - {name: public, address: 127.0.0.1:" + port + "}\n"
                + "observability:\n  accessLog: {enabled: false}\n" + yaml);
        Path log = dir.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx256m"));
        if (Runtime.version().feature() >= 24) {
            // as bin/strait: Netty's off-heap access without the JDK's warnings
            cmd.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.strait.cli.Main", "gateway", "--config",
                config.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GatewayProcess g = new GatewayProcess(port, admin, p, log);
        try {
            g.awaitReady();
        } catch (Exception | Error e) {
            g.close();
            throw e;
        }
        return g;
    }

    private void awaitReady() throws Exception {
        HttpClient c = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("gateway exited: " + Files.readString(log));
            try {
                HttpResponse<Void> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("gateway not ready within " + READY_TIMEOUT + ": " + Files.readString(log));
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
