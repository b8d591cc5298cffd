package io.strait.filters.transform;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.GZIPOutputStream;

/**
 * A real HTTP/1.1 backend on a loopback port (the JDK's server) for the transform tests: it records every request
 * whole (method, target, headers, body) and answers each path with the reply a test set ({@link #reply}), by
 * default {@code {"ok":true}} as JSON.
 */
final class JsonBackend implements AutoCloseable {
    /** A request as the backend got it; header names lower-case. */
    record Received(String method, String uri, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(",", v);
        }

        List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What a path answers. */
    record Reply(int status, Map<String, String> headers, byte[] body) {}

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();

    JsonBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Requests received so far, in order. */
    List<Received> received() {
        return List.copyOf(received);
    }

    Received last() {
        List<Received> all = received();
        if (all.isEmpty()) throw new AssertionError("the backend received no request");
        return all.get(all.size() - 1);
    }

    /** The path (without query) answers with this status, headers and body. */
    void reply(String path, int status, Map<String, String> headers, byte[] body) {
        replies.put(path, new Reply(status, headers, body));
    }

    void replyJson(String path, String json) {
        reply(path, 200, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, List<String>> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().toString(), headers, body));
        Reply r = replies.getOrDefault(ex.getRequestURI().getPath(),
                new Reply(200, Map.of("Content-Type", "application/json"), "{\"ok\":true}".getBytes(StandardCharsets.UTF_8)));
        r.headers().forEach(ex.getResponseHeaders()::set);
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(r.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
