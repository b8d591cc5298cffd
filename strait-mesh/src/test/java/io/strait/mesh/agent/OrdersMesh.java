package io.strait.mesh.agent;

import com.sun.net.httpserver.HttpServer;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.controlplane.ControlPlane;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * What the gateway-in-the-mesh tests share: a control plane with its policies from one file, and an {@code orders} app
 * that answers with the {@code X-Forwarded-Client-Cert} it saw (so a test sees who called it through its sidecar).
 */
final class OrdersMesh {
    /** Only the gateway's principal may call orders: a call that passes proves the gateway's SVID was presented. */
    static final String ONLY_THE_GATEWAY_CALLS_ORDERS = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: orders, namespace: default}
            spec:
              selector: {matchLabels: {app: orders}}
              action: ALLOW
              rules: [{from: [{source: {principals: ["cluster.local/ns/default/sa/gateway"]}}]}]
            """;

    private OrdersMesh() {}

    /** A control plane in {@code dir} (trust domain cluster.local, 1 h SVIDs) with {@code policies}; writes dir/bundle.pem. */
    static ControlPlane controlPlane(Path dir, String policies) throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/orders.yaml"), policies);
        ControlPlaneConfig config = new ControlPlaneConfig("cluster.local", dir.resolve("cp"),
                new ControlPlaneConfig.CaConfig(null, null, null, null, dir.resolve("cp/ca")), new ControlPlaneConfig.SvidConfig(Duration.ofHours(1)),
                null, null, List.of(dir.resolve("policies")), null);
        ControlPlane cp = ControlPlane.start(config, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0),
                Clock.systemUTC(), List.of());
        Files.writeString(dir.resolve("bundle.pem"), cp.bundle().pem());
        return cp;
    }

    /** The orders app, started on a free loopback port: its answer is {@code orders saw <XFCC>}. */
    static HttpServer app() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", x -> {
            byte[] body = ("orders saw " + x.getRequestHeaders().getFirst("X-Forwarded-Client-Cert")).getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        app.start();
        return app;
    }
}
