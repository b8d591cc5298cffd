package io.strait.cli.mesh;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.Executors;

/**
 * A service's app, behind its sidecar: a JDK HTTP server on 127.0.0.1, port 0, that records every request it sees
 * (with the {@code X-Forwarded-Client-Cert} its sidecar gave it) and answers {@code 200 "<name> saw <XFCC>"}.
 */
final class TestApp implements AutoCloseable {
    /** One request as the app saw it; {@code xfcc} is null when the request had none. */
    record Seen(String method, String path, String xfcc, String body) {}

    final String name;
    private final HttpServer server;
    private final List<Seen> seen = new ArrayList<>(); // guarded by itself

    private TestApp(String name, HttpServer server) {
        this.name = name;
        this.server = server;
    }

    static TestApp start(String name) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TestApp app = new TestApp(name, s);
        s.createContext("/", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String xfcc = x.getRequestHeaders().getFirst("X-Forwarded-Client-Cert");
            synchronized (app.seen) {
                app.seen.add(new Seen(x.getRequestMethod(), x.getRequestURI().getPath(), xfcc, body));
            }
            byte[] answer = (name + " saw " + xfcc).getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "text/plain");
            x.sendResponseHeaders(200, answer.length);
            x.getResponseBody().write(answer);
            x.close();
        });
        s.setExecutor(Executors.newFixedThreadPool(4, Thread.ofPlatform().name("app-" + name + "-", 0).daemon().factory()));
        s.start();
        return app;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Every request so far, in the order they arrived. */
    List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** The requests after the first {@code from}. */
    List<Seen> seenSince(int from) {
        List<Seen> all = seen();
        return all.subList(Math.min(from, all.size()), all.size());
    }

    int count() {
        synchronized (seen) {
            return seen.size();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        if (server.getExecutor() instanceof java.util.concurrent.ExecutorService e) e.shutdownNow();
    }
}
