package io.strait.cli.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One instance of a demo service (users, orders, products, or checkout, the mesh's orders caller): answers JSON
 * that shows which instance (and version) served the request and what reached it (path, request id,
 * forwarded-for, the gateway's identity headers, and the caller's mesh identity in {@code X-Forwarded-Client-Cert},
 * set by the instance's sidecar). A POST to orders creates an order: {@code 201}. Users and products answer
 * {@code ?ids=1,2} with those items (the GraphQL route's batched lookups); orders name their user and product.
 */
final class DemoService implements AutoCloseable {
    /** The id of every order a POST creates (the demo keeps no state). */
    static final int CREATED_ORDER_ID = 102;
    private final String service;
    private final String instance;
    private final String version;
    private final HttpServer server;
    private final ExecutorService pool;

    DemoService(String service, int index, String version) throws IOException {
        this.service = service;
        this.version = version;
        this.instance = service + "-" + index;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        this.pool = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String instance() {
        return instance;
    }

    String service() {
        return service;
    }

    String version() {
        return version;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            long received = in.transferTo(OutputStream.nullOutputStream());
            String path = ex.getRequestURI().getRawPath();
            if (path.equals("/healthz")) {
                send(ex, 200, "{\"status\":\"ok\"}");
                return;
            }
            String id = path.substring(path.lastIndexOf('/') + 1);
            String ids = ids(ex.getRequestURI().getRawQuery());
            boolean created = service.equals("orders") && ex.getRequestMethod().equals("POST");
            boolean usersV2 = service.equals("users") && path.startsWith(USERS_V2_PREFIX);
            String data = created ? "{\"id\":" + CREATED_ORDER_ID + ",\"status\":\"created\"}" : usersV2 ? usersV2(id) : switch (service) {
                case "users" -> id.matches("\\d+") ? "{\"id\":" + id + ",\"name\":\"user " + id + "\"}"
                        : ids != null ? batch(ids, "{\"id\":%s,\"name\":\"user %s\"}")
                        : "[{\"id\":1,\"name\":\"Ada\"},{\"id\":2,\"name\":\"Linus\"}]";
                case "orders" -> id.matches("\\d+") ? "{\"id\":" + id + ",\"total\":42.50,\"status\":\"shipped\"}"
                        : "[{\"id\":100,\"total\":42.50,\"userId\":1,\"productId\":7},"
                                + "{\"id\":101,\"total\":9.99,\"userId\":2,\"productId\":8}]";
                case "checkout" -> "{\"cart\":[{\"product\":7,\"quantity\":2}],\"total\":6.50}";
                default -> id.matches("\\d+") ? "{\"id\":" + id + ",\"name\":\"widget " + id + "\",\"price\":3.25}"
                        : ids != null ? batch(ids, "{\"id\":%s,\"name\":\"widget %s\",\"price\":3.25}")
                        : "[{\"id\":7,\"name\":\"widget\"},{\"id\":8,\"name\":\"gadget\"}]";
            };
            String body = "{\"service\":\"" + service + "\",\"instance\":\"" + instance + "\",\"version\":\"" + version
                    + "\",\"method\":\""
                    + ex.getRequestMethod() + "\",\"path\":" + quote(path)
                    + ",\"requestId\":" + quote(ex.getRequestHeaders().getFirst("X-Request-Id"))
                    + ",\"forwardedFor\":" + quote(ex.getRequestHeaders().getFirst("X-Forwarded-For"))
                    + ",\"user\":" + quote(ex.getRequestHeaders().getFirst("X-User-ID"))
                    + ",\"tenant\":" + quote(ex.getRequestHeaders().getFirst("X-Tenant-ID"))
                    + ",\"scopes\":" + quote(ex.getRequestHeaders().getFirst("X-Scopes"))
                    + ",\"apiKeyId\":" + quote(ex.getRequestHeaders().getFirst("X-API-Key-ID"))
                    + ",\"forwardedClientCert\":" + quote(ex.getRequestHeaders().getFirst("X-Forwarded-Client-Cert"))
                    + ",\"bodyBytes\":" + received + ",\"data\":" + data + "}";
            send(ex, created ? 201 : 200, body);
        }
    }

    /** The users API's v2 (the gateway's users-v2 route): the same service, another shape. */
    static final String USERS_V2_PREFIX = "/api/v2/users";

    /** v2 of the users API: a name split into parts, and lists wrapped with their count. */
    private static String usersV2(String id) {
        if (id.matches("\\d+")) return "{\"id\":" + id + ",\"name\":{\"given\":\"user\",\"family\":\"" + id + "\"}}";
        return "{\"items\":[{\"id\":1,\"name\":{\"given\":\"Ada\",\"family\":\"Lovelace\"}},"
                + "{\"id\":2,\"name\":{\"given\":\"Linus\",\"family\":\"Torvalds\"}}],\"total\":2}";
    }

    /** The {@code ids} query parameter ({@code ?ids=1,2}: a batch lookup, as the GraphQL route's loaders send), or null. */
    private static String ids(String rawQuery) {
        if (rawQuery == null) return null;
        for (String p : rawQuery.split("&")) {
            if (p.startsWith("ids=")) return java.net.URLDecoder.decode(p.substring(4), StandardCharsets.UTF_8);
        }
        return null;
    }

    /** A JSON array of {@code item} (a format with the id twice) for each numeric id of {@code ids}. */
    private static String batch(String ids, String item) {
        StringBuilder sb = new StringBuilder("[");
        for (String id : ids.split(",")) {
            if (!id.matches("\\d{1,9}")) continue;
            if (sb.length() > 1) sb.append(',');
            sb.append(String.format(item, id, id));
        }
        return sb.append(']').toString();
    }

    private static String quote(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    private void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Service-Version", version);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
