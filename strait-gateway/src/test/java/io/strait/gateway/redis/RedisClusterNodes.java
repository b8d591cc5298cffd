package io.strait.gateway.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis Cluster for tests: {@code n} {@code redis-server --cluster-enabled yes} masters on free
 * loopback ports (each port + 10000, the cluster bus, free too), joined by
 * {@code redis-cli --cluster create}, ready once every node reports {@code cluster_state:ok}.
 */
public final class RedisClusterNodes implements AutoCloseable {
    /** Forming a three-node cluster takes a second or two; a loaded machine gets ample slack. */
    private static final long READY_TIMEOUT_MS = 30_000;
    /** Redis puts a node's cluster bus on its port + 10000. */
    private static final int BUS_OFFSET = 10_000;

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private RedisClusterNodes(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code n} masters and forms the cluster (the slots split evenly between them). */
    public static RedisClusterNodes start(int n) throws IOException, InterruptedException {
        RedisClusterNodes c = new RedisClusterNodes(Files.createTempDirectory("strait-redis-cluster"));
        try {
            for (int i = 0; i < n; i++) c.startNode(freePortWithFreeBus(c.ports));
            c.awaitPing();
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (int p : c.ports) create.add("127.0.0.1:" + p);
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("redis-cli --cluster create failed:\n" + out);
            }
            c.awaitClusterOk();
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static int freePortWithFreeBus(List<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (port + BUS_OFFSET > 65_535 || taken.contains(port)) continue;
                try (ServerSocket bus = new ServerSocket(port + BUS_OFFSET, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException busTaken) {
                    // try another
                }
            }
        }
        throw new IOException("no free port with a free cluster bus port");
    }

    private void startNode(int port) throws IOException {
        Path logFile = dir.resolve("redis-" + port + ".log");
        processes.add(new ProcessBuilder(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                "--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start());
        ports.add(port);
    }

    private void awaitPing() throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        for (int i = 0; i < ports.size(); i++) {
            while (!cli(i, "PING").equals("PONG")) {
                if (!processes.get(i).isAlive() || System.currentTimeMillis() > deadline) {
                    throw new IOException("redis-server on port " + ports.get(i) + " did not start; its log:\n"
                            + Files.readString(dir.resolve("redis-" + ports.get(i) + ".log")));
                }
                Thread.sleep(20);
            }
        }
    }

    private void awaitClusterOk() throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            boolean ok = true;
            for (int i = 0; i < ports.size() && ok; i++) {
                last = cli(i, "CLUSTER", "INFO");
                ok = last.contains("cluster_state:ok");
            }
            if (ok) return;
            Thread.sleep(100);
        }
        throw new IOException("the cluster did not reach cluster_state:ok; last CLUSTER INFO:\n" + last);
    }

    /** Runs {@code redis-cli} against node {@code i} (no redirects followed) and returns what it printed. */
    public String cli(int i, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(ports.get(i))));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("redis-cli did not finish");
        }
        return out.strip();
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** A seed node's URI: {@code redis://127.0.0.1:PORT} of the first node. */
    public String uri() {
        return "redis://127.0.0.1:" + ports.get(0);
    }

    @Override
    public void close() {
        for (Process p : processes) p.destroy();
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
