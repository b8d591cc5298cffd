package io.strait.gateway.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A real JWKS endpoint on an ephemeral loopback port that can serve keys, fail, be slow or stop. */
final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile byte[] body = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
    private volatile int status = 200;
    private volatile long delayMillis;

    JwksServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks.json", ex -> {
            requests.incrementAndGet();
            try {
                if (delayMillis > 0) Thread.sleep(delayMillis);
                byte[] b = body;
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(status, b.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up or the server is stopping
            } finally {
                ex.close();
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    JwksServer keys(TestKey... keys) {
        List<JWK> jwks = Arrays.stream(keys).map(k -> k.publicJwk).toList();
        return body(new JWKSet(jwks).toString(true));
    }

    JwksServer body(String json) {
        body = json.getBytes(StandardCharsets.UTF_8);
        status = 200;
        return this;
    }

    JwksServer body(byte[] bytes) {
        body = bytes;
        status = 200;
        return this;
    }

    JwksServer status(int code) {
        status = code;
        return this;
    }

    JwksServer delay(long millis) {
        delayMillis = millis;
        return this;
    }

    int requests() {
        return requests.get();
    }

    void stop() {
        server.stop(0);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
