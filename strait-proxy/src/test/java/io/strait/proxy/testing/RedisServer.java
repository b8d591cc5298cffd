package io.strait.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for tests: started on a free loopback port in a temp directory with
 * persistence off, ready once it answers PING. {@link #stop()} and {@link #start()} keep the port, so a
 * test can simulate an outage and a recovery; the data survives (saved on stop and loaded on start, as a
 * Redis with persistence would). Without redis-server installed the test fails with a
 * message saying how to install it.
 */
public final class RedisServer implements AutoCloseable {
    private static final long READY_TIMEOUT_MS = 10_000;
    private final int port;
    private final Path dir;
    private Process process;
    private boolean paused;

    private RedisServer(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Starts a server on a free port. */
    public static RedisServer start() throws IOException {
        if (!installed()) {
            throw new AssertionError("redis-server is not installed: run `apt-get install -y redis-server`"
                    + " (.ci/run installs it on CI)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RedisServer r = new RedisServer(port, Files.createTempDirectory("strait-redis"));
        r.startProcess();
        return r;
    }

    private static boolean installed() {
        try {
            Process p = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Whether it is frozen by {@link #pause()}. */
    public synchronized boolean paused() {
        return paused;
    }

    /** Starts it again on the same port after {@link #stop()}, with the data it had. */
    public synchronized void restart() throws IOException {
        if (running()) stop();
        startProcess();
    }

    /** Freezes the server (SIGSTOP): connections stay open but nothing is answered, like a hung Redis. */
    public synchronized void pause() throws IOException {
        signal("STOP");
        paused = true;
    }

    /** Lets a {@link #pause() paused} server run again (SIGCONT); it answers what it was sent meanwhile. */
    public synchronized void resume() throws IOException {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) throws IOException {
        if (!running()) throw new IllegalStateException("redis-server is not running");
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new IOException("kill -" + name + " failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Saves the data and stops the server (SIGTERM, then SIGKILL); the port is kept for {@link #start()}. */
    public synchronized void stop() {
        if (process == null) return;
        if (paused) {
            try {
                resume();
            } catch (IOException | RuntimeException e) {
                // SIGKILL below stops a frozen process too
            }
        }
        try {
            command("SAVE");
        } catch (IOException ignored) {
            // not answering: nothing to keep
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Sends one command (inline protocol) and returns the raw first reply line, e.g. {@code +PONG}. */
    public String command(String... words) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            StringBuilder cmd = new StringBuilder("*").append(words.length).append("\r\n");
            for (String w : words) {
                byte[] b = w.getBytes(StandardCharsets.UTF_8);
                cmd.append('$').append(b.length).append("\r\n").append(w).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(s.getInputStream());
        }
    }

    /** Every key and value in the database, as text (for "nothing secret is stored" assertions). */
    public String dump() throws IOException {
        StringBuilder sb = new StringBuilder();
        String keys = command("KEYS", "*");
        sb.append(keys).append('\n');
        for (String k : keys.lines().skip(1).toList()) {
            String type = command("TYPE", k);
            String value = switch (type) {
                case "+string" -> command("GET", k);
                case "+set" -> command("SMEMBERS", k);
                case "+hash" -> command("HGETALL", k);
                default -> type;
            };
            sb.append(k).append(" = ").append(value).append('\n');
        }
        return sb.toString();
    }

    private static String readReply(InputStream in) throws IOException {
        String line = readLine(in);
        if (line.startsWith("$")) {
            int n = Integer.parseInt(line.substring(1));
            if (n < 0) return "(nil)";
            byte[] b = in.readNBytes(n + 2);
            return new String(b, 0, n, StandardCharsets.UTF_8);
        }
        if (line.startsWith("*")) {
            int n = Integer.parseInt(line.substring(1));
            StringBuilder sb = new StringBuilder(line);
            for (int i = 0; i < n; i++) sb.append('\n').append(readReply(in));
            return sb.toString();
        }
        return line;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\r') {
                in.read();
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    private void startProcess() throws IOException {
        Path logFile = dir.resolve("redis.log");
        process = new ProcessBuilder(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "yes"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) break;
            try {
                if ("+PONG".equals(command("PING"))) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String log = Files.exists(logFile) ? Files.readString(logFile) : "";
        stop();
        throw new AssertionError("redis-server on port " + port + " did not answer PING; its log:\n" + log);
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
