package io.strait.proxy.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny HTTP server on 127.0.0.1 whose health answer can be flipped, stopped and started again. */
final class TestBackend implements AutoCloseable {
    volatile int status = 200;
    volatile long delayMillis;
    volatile String lastHost;
    volatile String lastPath;
    final AtomicInteger hits = new AtomicInteger();
    final AtomicInteger failuresServed = new AtomicInteger();
    final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private HttpServer server;
    private int port;

    static TestBackend start() {
        TestBackend b = new TestBackend();
        b.listen(0);
        return b;
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    synchronized void stop() {
        if (server != null) server.stop(0);
        server = null;
    }

    /** Listens again on the same port. */
    synchronized void restart() {
        stop();
        listen(port);
    }

    private synchronized void listen(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
        port = server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        hits.incrementAndGet();
        lastHost = exchange.getRequestHeaders().getFirst("Host");
        lastPath = exchange.getRequestURI().toString();
        clientPorts.add(exchange.getRemoteAddress().getPort());
        long delay = delayMillis;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int s = status;
        if (s < 200 || s > 299) failuresServed.incrementAndGet();
        byte[] body = s == 204 ? new byte[0] : ("status " + s).getBytes();
        exchange.sendResponseHeaders(s, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        stop();
        executor.shutdownNow();
    }
}
