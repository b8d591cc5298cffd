package io.strait.filters;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP backend on a loopback port (the JDK's server, its own threads) answering fixed JSON documents by
 * path, optionally slowly or with another status; every request's target and headers are recorded.
 */
public final class JsonBackend implements AutoCloseable {
    /** One canned answer. */
    public record Answer(int status, String contentType, String body, long delayMillis) {}

    /** A request as received. */
    public record Seen(String method, String target, Map<String, String> headers) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

    public JsonBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** Answers GETs of {@code path} (without query) with 200 and this JSON. */
    public JsonBackend json(String path, String body) {
        return answer(path, new Answer(200, "application/json", body, 0));
    }

    public JsonBackend answer(String path, Answer answer) {
        answers.put(path, answer);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public java.util.List<Seen> seen() {
        return java.util.List.copyOf(seen);
    }

    private void handle(HttpExchange x) throws IOException {
        Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        x.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
        seen.add(new Seen(x.getRequestMethod(), x.getRequestURI().toString(), headers));
        x.getRequestBody().readAllBytes();
        Answer a = answers.get(x.getRequestURI().getPath());
        if (a == null) a = new Answer(404, "application/json", "{\"error\":\"not_found\"}", 0);
        if (a.delayMillis() > 0) {
            try {
                Thread.sleep(a.delayMillis()); // the backend's own thread, never a proxy loop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        if (a.contentType() != null) x.getResponseHeaders().set("Content-Type", a.contentType());
        x.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        } catch (IOException e) {
            // the proxy gave up on a slow answer: nothing to do
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
