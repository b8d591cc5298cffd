package io.strait.gateway.graphql;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP backend on a loopback port serving users, orders and products as JSON, counting every call and
 * keeping its target and identity headers:
 * <ul>
 *   <li>{@code /users/ID}: one user ({@code 404} for ID 404); {@code /users?ids=1,2}: those users (ids over 1000
 *       {@link #omit}ted are left out, to test missing keys)
 *   <li>{@code /orders?limit=N}: N orders, {@code userId} cycling 1..3 and {@code productId} 10..11
 *   <li>{@code /products?ids=...}: those products
 *   <li>{@code /wrapped/ID}: a user inside {@code {"data": ...}}; {@code /text}: not JSON
 * </ul>
 * {@link #fail(String, int)} makes a path prefix answer a status.
 */
final class RestBackend implements AutoCloseable {
    /** One call as the backend saw it. */
    record Call(String target, String userId, String requestId, String tenant) {}

    private final HttpServer server;
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> failing = new ConcurrentHashMap<>();
    private final java.util.Set<String> omitted = ConcurrentHashMap.newKeySet();

    RestBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /** Calls whose target starts with {@code prefix}. */
    long count(String prefix) {
        return calls.stream().filter(c -> c.target().startsWith(prefix)).count();
    }

    /** Leaves user {@code id} out of batch answers ({@code /users?ids=}). */
    void omit(String id) {
        omitted.add(id);
    }

    void fail(String prefix, int status) {
        failing.put(prefix, status);
    }

    /** Every path answers again. */
    void heal() {
        failing.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
            String target = ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
            calls.add(new Call(target, ex.getRequestHeaders().getFirst("X-User-ID"), ex.getRequestHeaders().getFirst("X-Request-Id"),
                    ex.getRequestHeaders().getFirst("X-Tenant-ID")));
            for (Map.Entry<String, Integer> f : failing.entrySet()) {
                if (target.startsWith(f.getKey())) {
                    send(ex, f.getValue(), "{\"error\":\"down\"}");
                    return;
                }
            }
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            if (path.equals("/text")) send(ex, 200, "not json");
            else if (path.startsWith("/wrapped/")) send(ex, 200, "{\"service\":\"users\",\"data\":" + user(path.substring(9)) + "}");
            else if (path.equals("/users/404")) send(ex, 404, "{\"error\":\"not_found\"}");
            else if (path.startsWith("/users/")) send(ex, 200, user(URLDecoder.decode(path.substring(7), StandardCharsets.UTF_8)));
            else if (path.equals("/users")) send(ex, 200, list(q.get("ids"), id -> omitted.contains(id) ? null : user(id)));
            else if (path.equals("/products")) send(ex, 200, list(q.get("ids"),
                    id -> "{\"id\":" + id + ",\"name\":\"product " + id + "\",\"price\":3.25}"));
            else if (path.equals("/orders")) send(ex, 200, orders(Integer.parseInt(q.getOrDefault("limit", "2"))));
            else send(ex, 404, "{\"error\":\"not_found\"}");
        }
    }

    private static String user(String id) {
        return "{\"id\":\"" + id + "\",\"name\":\"user " + id + "\",\"email\":\"u" + id + "@example.com\"}";
    }

    private static String orders(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(',');
            sb.append("{\"id\":").append(100 + i).append(",\"total\":").append(10 + i).append(".5,\"userId\":")
                    .append(i % 3 + 1).append(",\"productId\":").append(10 + i % 2).append('}');
        }
        return sb.append(']').toString();
    }

    private static String list(String ids, java.util.function.Function<String, String> one) {
        StringBuilder sb = new StringBuilder("[");
        if (ids != null) {
            for (String id : ids.split(",")) {
                String v = one.apply(id);
                if (v == null) continue;
                if (sb.length() > 1) sb.append(',');
                sb.append(v);
            }
        }
        return sb.append(']').toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new ConcurrentHashMap<>();
        if (raw == null) return out;
        for (String p : raw.split("&")) {
            int eq = p.indexOf('=');
            if (eq > 0) out.put(p.substring(0, eq), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
