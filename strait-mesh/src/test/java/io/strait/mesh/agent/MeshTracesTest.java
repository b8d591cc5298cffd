package io.strait.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.mesh.controlplane.ControlPlane;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.runtime.ProxyServer;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trace of one request through a gateway in the mesh and two sidecars, assembled at the control plane:
 * client → gateway → sidecar A (inbound) → app A, which calls b forwarding {@code traceparent} (as an app in
 * Istio must) → sidecar A (outbound) → sidecar B (inbound) → app B. Every hop's spans reach the control plane
 * over its mTLS channel, and its {@code GET /traces/{id}} shows them all, each child of the hop before.
 */
class MeshTracesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String CLIENT_SPAN = "b7ad6b7169203331";

    @TempDir
    Path dir;
    private ControlPlane cp;
    private LocalSidecars sidecars;
    private MeshGateway mesh;
    private ProxyServer gateway;
    private final List<HttpServer> apps = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        cp = OrdersMesh.controlPlane(dir, "");
        sidecars = new LocalSidecars(dir, () -> cp);
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        if (mesh != null) mesh.close();
        if (sidecars != null) sidecars.close();
        apps.forEach(a -> a.stop(0));
        if (cp != null) cp.close();
    }

    /** App B: answers. */
    private int appB() throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", x -> {
            byte[] body = "b answered".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        s.start();
        apps.add(s);
        return s.getAddress().getPort();
    }

    /** App A: calls b through its sidecar's outbound port, forwarding the traceparent it was given, and relays the answer. */
    private int appA(int[] outboundPort) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        HttpClient viaSidecar = HttpClient.newBuilder().proxy(new ProxySelector() {
            @Override
            public List<java.net.Proxy> select(URI uri) {
                return List.of(new java.net.Proxy(java.net.Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", outboundPort[0])));
            }

            @Override
            public void connectFailed(URI uri, java.net.SocketAddress sa, java.io.IOException ioe) {}
        }).build();
        s.createContext("/", x -> {
            String traceparent = x.getRequestHeaders().getFirst("traceparent");
            byte[] body;
            int status;
            try {
                HttpRequest.Builder call = HttpRequest.newBuilder(URI.create("http://b.shop/from-a")).timeout(Duration.ofSeconds(10));
                if (traceparent != null) call.header("traceparent", traceparent);
                HttpResponse<String> r = viaSidecar.send(call.build(), HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                body = ("a got: " + r.body()).getBytes(StandardCharsets.UTF_8);
            } catch (Exception e) {
                status = 502;
                body = e.toString().getBytes(StandardCharsets.UTF_8);
            }
            x.sendResponseHeaders(status, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        s.start();
        apps.add(s);
        return s.getAddress().getPort();
    }

    private void startGateway() throws Exception {
        String token = cp.tokens().create("shop", "gateway", Duration.ofHours(1), 1).join().token();
        Files.writeString(dir.resolve("gateway.token"), token);
        Path f = dir.resolve("gateway.yaml");
        Files.writeString(f, """
                admin: {address: "127.0.0.1:0"}
                listeners: [{name: public, address: "127.0.0.1:0"}]
                observability: {tracing: {serviceName: gateway}}
                mesh:
                  controlPlane: {address: "127.0.0.1:%d", trustBundleFile: bundle.pem, joinTokenFile: gateway.token}
                  namespace: shop
                  serviceAccount: gateway
                clusters:
                  a:
                    mesh: {service: a}
                routes: [{name: a, match: {pathPrefix: /}, cluster: a}]
                """.formatted(cp.apiPort()));
        StraitConfig config = ConfigLoader.load(f);
        mesh = MeshGateway.join(config.mesh(), Clock.systemUTC());
        gateway = ProxyServer.start(config, f, FilterModule.NONE, mesh.certificates(), mesh);
        mesh.attach(gateway);
    }

    private HttpResponse<String> get(String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode spanWithParent(JsonNode spans, String parent) {
        for (JsonNode s : spans) if (parent.equals(s.path("parentSpanId").asText(null))) return s;
        throw new AssertionError("no span whose parent is " + parent + " in " + spans);
    }

    @Test
    void theTraceOfARequestThroughTheGatewayAndTwoSidecarsShowsEveryHopAtTheControlPlane() throws Exception {
        int[] outboundA = new int[1];
        MeshAgent a = sidecars.start("a", appA(outboundA));
        outboundA[0] = a.engine().outboundPort();
        sidecars.start("b", appB());
        startGateway();

        // the gateway learns a's workload from the control plane; sidecar A learns b's
        await().atMost(Duration.ofSeconds(30)).until(() -> get("http://127.0.0.1:" + gateway.port("public") + "/warm").statusCode() == 200);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + "/orders/1"))
                .header("traceparent", "00-" + TRACE + "-" + CLIENT_SPAN + "-01").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a got: b answered");

        String cpTraces = "http://127.0.0.1:" + cp.adminPort() + "/traces/" + TRACE;
        JsonNode trace = await().atMost(Duration.ofSeconds(15)).until(() -> {
            HttpResponse<String> t = get(cpTraces);
            return t.statusCode() == 200 ? JSON.readTree(t.body()) : JSON.createObjectNode();
        }, t -> t.path("spans").size() >= 8);
        JsonNode spans = trace.path("spans");

        JsonNode gwServer = spanWithParent(spans, CLIENT_SPAN);
        assertThat(gwServer.path("service").asText()).isEqualTo("gateway");
        assertThat(gwServer.path("kind").asText()).isEqualTo("SERVER");
        JsonNode gwClient = spanWithParent(spans, gwServer.path("spanId").asText());
        assertThat(gwClient.path("kind").asText()).isEqualTo("CLIENT");
        assertThat(gwClient.path("service").asText()).isEqualTo("gateway");
        JsonNode aInbound = spanWithParent(spans, gwClient.path("spanId").asText());
        assertThat(aInbound.path("service").asText()).isEqualTo("a");
        assertThat(aInbound.path("kind").asText()).isEqualTo("SERVER");
        JsonNode aToApp = spanWithParent(spans, aInbound.path("spanId").asText());
        assertThat(aToApp.path("kind").asText()).isEqualTo("CLIENT");
        JsonNode aOutbound = spanWithParent(spans, aToApp.path("spanId").asText()); // the app forwarded traceparent
        assertThat(aOutbound.path("service").asText()).isEqualTo("a");
        assertThat(aOutbound.path("kind").asText()).isEqualTo("SERVER");
        JsonNode aToB = spanWithParent(spans, aOutbound.path("spanId").asText());
        assertThat(aToB.path("kind").asText()).isEqualTo("CLIENT");
        JsonNode bInbound = spanWithParent(spans, aToB.path("spanId").asText());
        assertThat(bInbound.path("service").asText()).isEqualTo("b");
        assertThat(bInbound.path("kind").asText()).isEqualTo("SERVER");
        assertThat(bInbound.path("attributes").path("http.response.status_code").asInt()).isEqualTo(200);
        JsonNode bToApp = spanWithParent(spans, bInbound.path("spanId").asText());
        assertThat(bToApp.path("kind").asText()).isEqualTo("CLIENT");
        // hops nest in time: each starts no earlier than its parent
        assertThat(bInbound.path("startEpochNanos").asLong()).isGreaterThanOrEqualTo(aInbound.path("startEpochNanos").asLong());

        JsonNode listed = JSON.readTree(get("http://127.0.0.1:" + cp.adminPort() + "/traces").body()).path("traces");
        JsonNode summary = null;
        for (JsonNode t : listed) if (t.path("traceId").asText().equals(TRACE)) summary = t;
        assertThat(summary).isNotNull();
        assertThat(summary.path("rootService").asText()).isEqualTo("gateway");
        assertThat(summary.path("rootName").asText()).isEqualTo("GET a");
        List<String> services = new ArrayList<>();
        summary.path("services").forEach(s -> services.add(s.asText()));
        assertThat(services).containsExactly("gateway", "a", "b");
        assertThat(summary.path("error").asBoolean()).isFalse();

        // the gateway's own admin has its own two spans of the trace
        JsonNode own = JSON.readTree(get("http://127.0.0.1:" + gateway.adminPort() + "/traces/" + TRACE).body()).path("spans");
        assertThat(own.size()).isEqualTo(2);
        assertThat(own.findValuesAsText("service")).containsOnly("gateway");
    }
}
