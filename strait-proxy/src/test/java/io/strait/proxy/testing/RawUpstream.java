package io.strait.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake HTTP/1.1 upstream on 127.0.0.1 (port 0) that answers each request with exact bytes, for tests of
 * malformed responses. It reads request heads (requests without bodies), records which connection each
 * arrived on, and writes what {@code script} returns for the request's target; the connection stays open
 * for the next request, so a test can see whether the proxy reused it, except after a target that starts with
 * {@link #CLOSE_AFTER} (the bytes are written, then the connection is closed).
 */
public final class RawUpstream implements AutoCloseable {
    /** One request as the upstream saw it: its target, and the connection (1, 2, ...) and its place on it (1, 2, ...). */
    public record Seen(String target, int connection, int indexOnConnection) {}

    /** Targets starting with this get their answer and then a closed connection. */
    public static final String CLOSE_AFTER = "/close-after/";

    private final ServerSocket server;
    private final Function<String, byte[]> script;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public RawUpstream(Function<String, byte[]> script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        Thread t = new Thread(this::accept, "raw-upstream");
        t.setDaemon(true);
        t.start();
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public int connectionCount() {
        return connections.get();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** The last request for {@code target}, or null. */
    public Seen last(String target) {
        Seen found = null;
        for (Seen s : seen) if (s.target().equals(target)) found = s;
        return found;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int id = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, id), "raw-upstream-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s, int id) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int n = 1; ; n++) {
                String head = readHead(in);
                if (head == null) return;
                String target = head.split(" ", 3)[1];
                seen.add(new Seen(target, id, n));
                byte[] answer = script.apply(target);
                if (answer == null) return; // close without answering
                out.write(answer);
                out.flush();
                if (target.startsWith(CLOSE_AFTER)) return;
            }
        } catch (IOException e) {
            // the proxy closed the connection
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) return null;
            buf.write(b);
            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : (b == '\r' ? 1 : 0);
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
