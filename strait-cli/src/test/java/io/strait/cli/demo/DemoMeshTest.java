package io.strait.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.config.tls.Pem;
import io.strait.mesh.agent.MeshAgent;
import io.strait.proxy.testing.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's mesh as a user meets it: the gateway's calls arrive at the services over mutual TLS with the
 * gateway's SPIFFE ID, the orders policy lets the gateway and checkout POST but not users (403 from the orders
 * sidecar), demo.env names the mesh's addresses and trust bundle, a sidecar's inbound shows its SVID to
 * openssl and refuses a caller without one, the control plane's status lists the workloads, and a workload
 * that leaves the mesh leaves the gateway's rotation.
 */
class DemoMeshTest {
    private static final String GATEWAY = "spiffe://cluster.local/ns/default/sa/gateway";

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(HttpRequest.Builder r) throws Exception {
        return http.send(r.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder postOrder(String url) {
        return HttpRequest.newBuilder(URI.create(url + "/api/v1/orders")).POST(HttpRequest.BodyPublishers.ofString("{\"product\":7}"))
                .header("Content-Type", "application/json");
    }

    @Test
    void theDemoRunsThroughTheMeshWithItsPolicy() throws Exception {
        try (Demo demo = Demo.start(dir, 0, 0)) {
            Properties env = new Properties();
            try (var r = Files.newBufferedReader(dir.resolve("demo.env"))) {
                env.load(r);
            }
            String gw = env.getProperty("STRAIT_GATEWAY_URL");
            String token = env.getProperty("STRAIT_DEMO_TOKEN");
            for (String svc : List.of("USERS", "ORDERS", "PRODUCTS", "CHECKOUT")) {
                assertThat(env.getProperty("STRAIT_MESH_" + svc + "_INBOUND")).as(svc).matches("127\\.0\\.0\\.1:\\d+");
            }
            assertThat(env.getProperty("STRAIT_MESH_USERS_OUTBOUND")).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(env.getProperty("STRAIT_MESH_CHECKOUT_OUTBOUND")).matches("127\\.0\\.0\\.1:\\d+");
            String cpAdmin = env.getProperty("STRAIT_CONTROL_PLANE_ADMIN_URL");
            assertThat(cpAdmin).startsWith("http://127.0.0.1:");
            Path bundle = Path.of(env.getProperty("STRAIT_MESH_TRUST_BUNDLE"));
            assertThat(bundle).isEqualTo(dir.toAbsolutePath().resolve("mesh/trust-bundle.pem"));
            assertThat(Files.readString(bundle)).startsWith("-----BEGIN CERTIFICATE-----");
            assertThat(demo.banner()).contains("RBAC: access denied", "$STRAIT_MESH_USERS_OUTBOUND", "$STRAIT_MESH_CHECKOUT_OUTBOUND",
                    "openssl s_client -connect $STRAIT_MESH_ORDERS_INBOUND -CAfile $STRAIT_MESH_TRUST_BUNDLE",
                    "$STRAIT_CONTROL_PLANE_ADMIN_URL/status");
            assertThat(dir.resolve("mesh/policies/orders.yaml")).content().contains("kind: AuthorizationPolicy");

            // the gateway's calls arrive through each instance's sidecar, with the gateway's SPIFFE ID
            HttpResponse<String> users = send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/users/42")).header("Authorization", "Bearer " + token));
            assertThat(users.statusCode()).as(users.body()).isEqualTo(200);
            assertThat(Json.parse(users.body()).get("forwardedClientCert").asText())
                    .startsWith("By=spiffe://cluster.local/ns/default/sa/users;Hash=").endsWith(";URI=" + GATEWAY);

            // POST orders: through the gateway (orders:write, and the mesh policy allows the gateway) 201
            HttpResponse<String> created = send(postOrder(gw).header("Authorization", "Bearer " + token));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode order = Json.parse(created.body());
            assertThat(order.get("data").get("status").asText()).isEqualTo("created");
            assertThat(order.get("forwardedClientCert").asText()).endsWith(";URI=" + GATEWAY);
            assertThat(order.get("user").asText()).isEqualTo("demo-user");

            // ...from users' sidecar the orders sidecar denies it (the app never sees it); from checkout's it is allowed
            // (with curl, as the README does: the JDK's client may not set Host)
            Curl denied = curl("-X", "POST", "-H", "Host: orders", "http://" + env.getProperty("STRAIT_MESH_USERS_OUTBOUND") + "/api/v1/orders");
            assertThat(denied.status()).as(denied.body()).isEqualTo(403);
            assertThat(Json.parse(denied.body()).get("error").asText()).isEqualTo("rbac_denied");
            assertThat(Json.parse(denied.body()).get("message").asText()).isEqualTo("RBAC: access denied");
            Curl allowed = curl("-X", "POST", "-H", "Host: orders", "http://" + env.getProperty("STRAIT_MESH_CHECKOUT_OUTBOUND") + "/api/v1/orders");
            assertThat(allowed.status()).as(allowed.body()).isEqualTo(201);
            assertThat(Json.parse(allowed.body()).get("forwardedClientCert").asText()).endsWith(";URI=spiffe://cluster.local/ns/default/sa/checkout");
            // users may read orders: GET is allowed from any workload of the mesh
            Curl read = curl("-H", "Host: orders", "http://" + env.getProperty("STRAIT_MESH_USERS_OUTBOUND") + "/api/v1/orders/1");
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            assertThat(Json.parse(read.body()).get("forwardedClientCert").asText()).endsWith(";URI=spiffe://cluster.local/ns/default/sa/users");
            // the denial is in the orders sidecars' access logs
            await().atMost(Duration.ofSeconds(5)).until(() -> demo.mesh().sidecars().keySet().stream()
                    .filter(s -> s.service().equals("orders"))
                    .anyMatch(s -> readQuietly(demo.mesh().accessLog(s)).contains("\"status\":403")));

            // the orders inbound: its SVID chains to the trust bundle; a caller without a certificate gets no answer
            X509Certificate leaf = inboundCertificate(env.getProperty("STRAIT_MESH_ORDERS_INBOUND"), bundle);
            assertThat(uris(leaf)).containsExactly("spiffe://cluster.local/ns/default/sa/orders");
            List<X509Certificate> roots = Pem.certificates(Files.readAllBytes(bundle));
            PKIXParameters pkix = new PKIXParameters(roots.stream().map(r -> new TrustAnchor(r, null)).collect(Collectors.toSet()));
            pkix.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), pkix);
            String openssl = opensslShowsTheSvid(env.getProperty("STRAIT_MESH_ORDERS_INBOUND"), bundle);
            if (openssl != null) assertThat(openssl).contains("URI:spiffe://cluster.local/ns/default/sa/orders");

            // the control plane's status lists every workload: 8 service instances and checkout
            HttpResponse<String> status = send(HttpRequest.newBuilder(URI.create(cpAdmin + "/status")));
            assertThat(status.statusCode()).isEqualTo(200);
            List<String> workloads = new ArrayList<>();
            Json.parse(status.body()).get("workloads").forEach(w -> workloads.add(w.get("service").asText() + " " + w.get("identity").asText()));
            assertThat(workloads).hasSize(9).contains("orders spiffe://cluster.local/ns/default/sa/orders",
                    "checkout spiffe://cluster.local/ns/default/sa/checkout");

            // the service graph of those calls (the sidecars report every 5 s): users' two calls to orders (the 403 of the
            // policy is no error), checkout's one, the gateway's; each over mutual TLS
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode graph = Json.parse(send(HttpRequest.newBuilder(URI.create(cpAdmin + "/mesh/graph"))).body());
                List<String> edges = new ArrayList<>();
                graph.get("edges").forEach(e -> edges.add(e.get("source").asText() + " -> " + e.get("destination").asText()
                        + (e.get("source").asText().equals("default/gateway") ? "" : " " + e.get("requests").asLong() + "/" + e.get("errors").asLong())
                        + " " + (e.get("mtls").asBoolean() ? "mtls" : "plaintext")));
                assertThat(edges).contains("default/gateway -> default/users mtls", "default/gateway -> default/orders mtls",
                        "default/users -> default/orders 2/0 mtls", "default/checkout -> default/orders 1/0 mtls");
                List<String> gateways = new ArrayList<>();
                graph.get("nodes").forEach(n -> gateways.add(n.get("id").asText() + " " + n.get("kind").asText()));
                assertThat(gateways).contains("default/gateway gateway", "default/orders service");
            });
            assertThat(demo.banner()).contains("$STRAIT_CONTROL_PLANE_ADMIN_URL/mesh/graph");

            // the pushed endpoints feed the gateway: a users instance that leaves the mesh leaves the gateway's cluster
            assertThat(demo.gateway().snapshot().clusters().get("users").endpoints()).hasSize(3);
            DemoService third = demo.mesh().sidecars().keySet().stream().filter(s -> s.instance().equals("users-3")).findFirst().orElseThrow();
            MeshAgent sidecar = demo.mesh().sidecars().get(third);
            String gone = "127.0.0.1:" + sidecar.engine().inboundPort();
            sidecar.close(); // deregisters
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(demo.gateway().snapshot().clusters().get("users").endpoints())
                    .hasSize(2).noneMatch(e -> e.id().equals(gone)));
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(gw + "/api/v1/users/1")).header("Authorization", "Bearer " + token));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(Json.parse(r.body()).get("instance").asText()).isNotEqualTo("users-3");
            }
        }
    }

    record Curl(int status, String body) {}

    /** {@code curl -s ARGS}: the status and the body. */
    private static Curl curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--max-time", "10", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        int nl = out.lastIndexOf('\n');
        return new Curl(Integer.parseInt(out.substring(nl + 1).trim()), out.substring(0, nl));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * What {@code openssl s_client} shows of the inbound's certificate, through {@code openssl x509 -ext subjectAltName}
     * as the README does; null when this machine has no openssl.
     */
    private static String opensslShowsTheSvid(String inbound, Path bundle) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "openssl s_client -connect " + inbound + " -CAfile " + bundle
                + " </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName");
        Process p;
        try {
            p = pb.redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out.contains("not found") ? null : out;
    }

    /**
     * The inbound's certificate, from a TLS 1.3 handshake that trusts only the bundle and presents no client
     * certificate; the connection then gets no HTTP answer (STRICT refuses a caller without an SVID).
     */
    private static X509Certificate inboundCertificate(String inbound, Path bundle) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (X509Certificate root : Pem.certificates(Files.readAllBytes(bundle))) trust.setCertificateEntry("root" + i++, root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        String[] hp = inbound.split(":");
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(hp[0], Integer.parseInt(hp[1]))) {
            s.setSoTimeout(5000);
            s.startHandshake(); // the server's certificate is verified here, against the bundle alone
            X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
            int answer;
            try {
                s.getOutputStream().write("GET /api/v1/orders HTTP/1.1\r\nHost: orders\r\n\r\n".getBytes());
                s.getOutputStream().flush();
                answer = s.getInputStream().read();
            } catch (IOException refused) { // the server's certificate_required alert
                answer = -1;
            }
            assertThat(answer).as("STRICT: no HTTP answer without a client certificate").isEqualTo(-1);
            return leaf;
        }
    }

    private static Set<String> uris(X509Certificate c) throws Exception {
        return c.getSubjectAlternativeNames().stream().filter(n -> (Integer) n.get(0) == 6).map(n -> (String) n.get(1))
                .collect(Collectors.toSet());
    }
}
