package io.strait.mesh.controlplane;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.strait.mesh.ca.CaStatus;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.registry.Registration;
import io.strait.mesh.registry.Registry;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.observe.trace.RecentTraces;
import io.strait.proxy.observe.trace.TracesJson;
import io.strait.proxy.dashboard.UiAssets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The control plane's admin listener (default {@code 127.0.0.1:15014}, Istio's monitoring port): read-only.
 * {@code GET /ready}, {@code /metrics} (Prometheus), {@code /status} (JSON: the CA's certificates and their
 * expiry, the registry's workloads, the config streams), {@code /trust-bundle} (the roots, PEM: public) and
 * {@code /traces} (the recent traces the mesh's sidecars and gateways sent, every hop of a trace together),
 * {@code /ui} (the dashboard: workloads, the service map, recent traces) and
 * {@code /mesh/graph} (the service graph of the last minute's telemetry, {@link io.strait.mesh.graph.MeshGraph}).
 * No key, token or token hash is ever shown. The JDK's HTTP server on two threads of its own: scrapes and
 * operators, never the sidecars' path.
 */
final class ControlPlaneAdmin implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService threads;
    private final CertificateAuthority ca;
    private final Supplier<CaReload.Status> caReload;
    private final Registry registry;
    private final ControlPlaneMetrics metrics;
    private final Supplier<ObjectNode> streams;
    private final Supplier<ObjectNode> streamErrors;
    /** The spans the mesh's sidecars and gateways sent, assembled by trace id ({@code GET /traces}). */
    private final RecentTraces traces;
    /** The service graph of the last minute's telemetry ({@code /mesh/graph}). */
    private final Supplier<ObjectNode> meshGraph;

    ControlPlaneAdmin(InetSocketAddress address, CertificateAuthority ca, Supplier<CaReload.Status> caReload, Registry registry,
            ControlPlaneMetrics metrics, Supplier<ObjectNode> streams, Supplier<ObjectNode> streamErrors, RecentTraces traces,
            Supplier<ObjectNode> meshGraph)
            throws IOException {
        this.streamErrors = streamErrors;
        this.traces = traces;
        this.meshGraph = meshGraph;
        this.ca = ca;
        this.caReload = caReload;
        this.registry = registry;
        this.metrics = metrics;
        this.streams = streams;
        this.server = HttpServer.create(address, 0);
        this.threads = Executors.newFixedThreadPool(THREADS, Thread.ofPlatform().name("strait-cp-admin-", 0).daemon().factory());
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            boolean tracesPath = path.equals("/traces") || path.startsWith("/traces/");
            boolean known = tracesPath || List.of("/ready", "/metrics", "/status", "/trust-bundle", "/mesh/graph").contains(path) || UiAssets.PATHS.contains(path);
            if (!known) {
                error(x, 404, "not_found", "no admin endpoint " + path + " (try /ready, /metrics, /status, /trust-bundle, /traces, /mesh/graph, /ui)");
                return;
            }
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                x.getResponseHeaders().set("Allow", "GET, HEAD");
                error(x, 405, "method_not_allowed", path + " answers GET only");
                return;
            }
            if (tracesPath) {
                TracesJson.Answer a = TracesJson.answer(traces, path, x.getRequestURI().getRawQuery());
                send(x, a.status(), "application/json", a.body().getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (path) {
                case "/ready" -> send(x, 200, "application/json", "{\"status\":\"ready\"}\n".getBytes(StandardCharsets.UTF_8));
                case "/metrics" -> { // OpenMetrics when the scraper asks for it, as the engine's admin does
                    boolean openMetrics = ProxyMetrics.wantsOpenMetrics(x.getRequestHeaders().getFirst("Accept"));
                    send(x, 200, openMetrics ? ProxyMetrics.OPENMETRICS_CONTENT_TYPE : ControlPlaneMetrics.CONTENT_TYPE, metrics.scrape(openMetrics));
                }
                case "/ui", "/ui/" -> {
                    x.getResponseHeaders().set("Content-Security-Policy", UiAssets.CONTENT_SECURITY_POLICY);
                    x.getResponseHeaders().set("Cache-Control", "no-store");
                    send(x, 200, UiAssets.CONTENT_TYPE, UiAssets.page());
                }
                case "/trust-bundle" -> send(x, 200, "application/x-pem-file", ca.bundle().pem().getBytes(StandardCharsets.US_ASCII));
                case "/mesh/graph" -> send(x, 200, "application/json", JSON.writeValueAsBytes(meshGraph.get()));
                default -> send(x, 200, "application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(status()));
            }
        } catch (RuntimeException e) {
            error(x, 500, "internal_error", e.getClass().getSimpleName());
        }
    }

    private ObjectNode status() {
        ObjectNode root = JSON.createObjectNode();
        CaStatus s = ca.status();
        root.put("trustDomain", s.trustDomain());
        ObjectNode caNode = root.putObject("ca");
        ArrayNode certs = caNode.putArray("certificates");
        for (CaStatus.CertExpiry c : s.certificates()) {
            certs.addObject().put("role", c.role()).put("subject", c.subject()).put("serial", c.serial()).put("notAfter", c.notAfter().toString());
        }
        caNode.put("svidsIssued", s.issuedTotal()).put("svidsValid", s.issuedNotAfter().size());
        CaReload.Status reload = caReload.get();
        caNode.putObject("reload").put("lastReload", reload.lastReload() == null ? null : reload.lastReload().toString())
                .put("lastError", reload.lastError());
        ArrayNode workloads = root.putArray("workloads");
        for (Map.Entry<String, Map<String, List<Registration>>> ns : registry.snapshot().namespaces().entrySet()) {
            for (Map.Entry<String, List<Registration>> svc : ns.getValue().entrySet()) {
                for (Registration r : svc.getValue()) {
                    ObjectNode w = workloads.addObject();
                    w.put("namespace", ns.getKey()).put("service", svc.getKey()).put("instanceId", r.instanceId())
                            .put("identity", r.owner().uri()).put("address", r.workload().address()).put("zone", r.workload().zone())
                            .put("lastSeen", r.lastSeen().toString()).put("expiresAt", r.expiresAt(registry.expiry()).toString());
                    ObjectNode labels = w.putObject("labels");
                    r.workload().labels().forEach(labels::put);
                }
            }
        }
        root.set("streams", streams.get());
        root.set("streamErrors", streamErrors.get());
        return root;
    }

    private static void error(HttpExchange x, int status, String code, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("error", code).put("message", message);
        send(x, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
