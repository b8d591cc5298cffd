package io.strait.cli.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.strait.cli.Main;
import io.strait.config.tls.Pem;
import io.strait.mesh.api.v1.CertificateServiceGrpc;
import io.strait.mesh.api.v1.CreateCertificateRequest;
import io.strait.mesh.api.v1.CreateCertificateResponse;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.transport.MeshCredentials;
import io.strait.mesh.transport.MeshTransport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A mesh of real processes, as an operator runs one: {@code strait control-plane --config cp.yaml} on two free ports
 * (kept across restarts, with its data directory), join tokens made with {@code strait control-plane --config cp.yaml
 * token create} beside it (the same command, run in this JVM: it writes to the data directory), and per service a
 * {@link TestApp} in this JVM behind a {@code strait sidecar --config FILE} process, all in namespace {@value #NAMESPACE}.
 * Every file (configs, tokens, each process's output) is in {@code dir}. {@link #close()} stops every process it
 * started, sidecars first.
 */
final class MeshProcesses implements AutoCloseable {
    static final String TRUST_DOMAIN = "cluster.local";
    static final String NAMESPACE = "default";
    /** The sidecar's line once it serves (SidecarCommand), with its ports. */
    private static final Pattern SIDECAR_READY = Pattern.compile(
            "strait sidecar: ([a-z0-9-]+) ready: inbound port (\\d+) \\(mTLS\\), outbound port (\\d+), admin port (\\d+)");
    private static final Pattern TOKEN = Pattern.compile("sjt_[A-Za-z0-9_-]{43}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * The policies: {@code frontend} may POST and GET orders, {@code users} may not call orders at all (an explicit DENY);
     * the namespace requires mutual TLS, except {@code users}, which is migrating (PERMISSIVE).
     */
    static final String POLICIES = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: orders-from-frontend, namespace: default}
            spec:
              selector: {matchLabels: {app: orders}}
              action: ALLOW
              rules:
                - from: [{source: {principals: ["cluster.local/ns/default/sa/frontend"]}}]
                  to: [{operation: {methods: ["POST", "GET"], paths: ["/orders", "/orders/*"]}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: no-users-at-orders, namespace: default}
            spec:
              selector: {matchLabels: {app: orders}}
              action: DENY
              rules:
                - from: [{source: {principals: ["cluster.local/ns/default/sa/users"]}}]
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: default}
            spec: {mtls: {mode: STRICT}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: users-migrating, namespace: default}
            spec:
              selector: {matchLabels: {app: users}}
              mtls: {mode: PERMISSIVE}
            """;

    /** A sidecar process and its app. */
    record Sidecar(String service, StraitProcess process, int inboundPort, int outboundPort, int adminPort, TestApp app) {
        String spiffeId() {
            return "spiffe://" + TRUST_DOMAIN + "/ns/" + NAMESPACE + "/sa/" + service;
        }

        /** The app's call through this sidecar's outbound port to {@code service} ({@code Host: <service>}). */
        MeshClient.Answer call(String method, String service, String path, String body, String... headers) throws IOException {
            return MeshClient.call(outboundPort, method, service, path, body, headers);
        }
    }

    final Path dir;
    final int apiPort;
    final int adminPort;
    private final Path config;
    private StraitProcess controlPlane;
    private final Map<String, Sidecar> sidecars = new LinkedHashMap<>();
    private final List<StraitProcess> others = new ArrayList<>();
    private final List<TestApp> apps = new ArrayList<>();

    private MeshProcesses(Path dir, int apiPort, int adminPort, Path config) {
        this.dir = dir;
        this.apiPort = apiPort;
        this.adminPort = adminPort;
        this.config = config;
    }

    /**
     * Writes {@code cp.yaml} (the SVIDs' lifetime {@code svidTtl}, the policies {@code policies} in {@code policies/}) and
     * starts the control plane; returns once its admin answers {@code /ready}, with its trust bundle in {@code bundle.pem}.
     */
    static MeshProcesses start(Path dir, String svidTtl, String policies) throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/mesh.yaml"), policies);
        int api = freePort();
        int admin = freePort();
        Path config = dir.resolve("cp.yaml");
        Files.writeString(config, """
                trustDomain: %s
                dataDir: cp-data
                svid: {ttl: %s}
                api: {address: 127.0.0.1:%d}
                admin: {address: 127.0.0.1:%d}
                policies: policies
                """.formatted(TRUST_DOMAIN, svidTtl, api, admin));
        MeshProcesses mesh = new MeshProcesses(dir, api, admin, config);
        try {
            mesh.startControlPlane();
            Files.writeString(dir.resolve("bundle.pem"), mesh.admin("/trust-bundle"));
        } catch (Exception | Error e) {
            mesh.close();
            throw e;
        }
        return mesh;
    }

    private void startControlPlane() throws Exception {
        controlPlane = StraitProcess.start("control-plane", dir.resolve("control-plane.log"), StraitProcess.DEFAULT_JVM,
                List.of("control-plane", "--config", config.toString()));
        controlPlane.awaitReady(adminPort);
    }

    /** SIGKILL to the control plane: no goodbye to its sidecars, nothing flushed. */
    void killControlPlane() throws InterruptedException {
        controlPlane.kill();
    }

    /** The control plane again, on the same ports and data directory; returns once it is ready. */
    void restartControlPlane() throws Exception {
        if (controlPlane.alive()) throw new IllegalStateException("the control plane still runs");
        startControlPlane();
    }

    /** {@code GET <admin>/path} of the control plane: the body of a 200. */
    String admin(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("control plane " + path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }

    /** The control plane's {@code /status}. */
    JsonNode status() throws Exception {
        return JSON.readTree(admin("/status"));
    }

    /** {@code strait control-plane --config cp.yaml token create --namespace default --account ACCOUNT --ttl 1h}: the token it printed. */
    String token(String account) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("control-plane", "--config", config.toString(), "token", "create", "--namespace", NAMESPACE, "--account", account,
                "--ttl", "1h");
        Matcher m = TOKEN.matcher(out.toString());
        if (code != 0 || !m.find()) throw new IllegalStateException("token create for " + account + " exited " + code + ": " + out + err);
        return m.group();
    }

    /** Starts a sidecar per service (all at once; each with a new app and a new join token), and returns once all serve. */
    List<Sidecar> sidecars(String... services) throws Exception {
        Map<String, StraitProcess> started = new LinkedHashMap<>();
        Map<String, TestApp> appOf = new LinkedHashMap<>();
        for (String s : services) {
            TestApp app = TestApp.start(s);
            apps.add(app);
            appOf.put(s, app);
            Files.writeString(dir.resolve(s + ".token"), token(s) + "\n");
            StraitProcess p = startSidecar(s, sidecarConfig(s + ".yaml", s, app.port(), s + ".token"), List.of());
            started.put(s, p);
        }
        List<Sidecar> out = new ArrayList<>();
        for (Map.Entry<String, StraitProcess> e : started.entrySet()) {
            Matcher ready = e.getValue().awaitLine(SIDECAR_READY);
            Sidecar sc = new Sidecar(e.getKey(), e.getValue(), Integer.parseInt(ready.group(2)), Integer.parseInt(ready.group(3)),
                    Integer.parseInt(ready.group(4)), appOf.get(e.getKey()));
            sc.process().awaitReady(sc.adminPort());
            sidecars.put(sc.service(), sc);
            out.add(sc);
        }
        return out;
    }

    /** A sidecar config {@code file} for {@code service} (ports chosen by the system: the sidecar prints them), its token in {@code tokenFile}. */
    Path sidecarConfig(String file, String service, int appPort, String tokenFile) throws IOException {
        Path f = dir.resolve(file);
        Files.writeString(f, """
                service: %s
                namespace: %s
                serviceAccount: %s
                labels: {app: %s}
                controlPlane: {address: 127.0.0.1:%d, trustBundleFile: bundle.pem, joinTokenFile: %s}
                inbound: {port: 0, appPort: %d, address: 127.0.0.1}
                outbound: {port: 0}
                admin: {port: 0}
                """.formatted(service, NAMESPACE, service, service, apiPort, tokenFile, appPort));
        return f;
    }

    /** {@code strait sidecar --config FILE [ARGS]} (e.g. {@code -- CMD}), with bin/strait's sidecar JVM; stopped by {@link #close()}. */
    StraitProcess startSidecar(String name, Path sidecarConfig, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("sidecar", "--config", sidecarConfig.toString()));
        all.addAll(args);
        StraitProcess p = StraitProcess.start(name, dir.resolve(name + ".log"), StraitProcess.SIDECAR_JVM, all);
        others.add(p);
        return p;
    }

    Sidecar sidecar(String service) {
        return sidecars.get(service);
    }

    /**
     * An SVID for {@code account} as a sidecar gets one (a join token, a CSR from a key made here), written as
     * {@code <account>.pem} (the chain) and {@code <account>.key} (PKCS#8): a client certificate for openssl.
     */
    Path[] issueSvid(String account) throws Exception {
        X509Certificate root = Pem.certificates(Files.readAllBytes(dir.resolve("bundle.pem"))).getFirst();
        ManagedChannel channel = MeshTransport.channel("127.0.0.1", apiPort, new MeshCredentials(null, TrustBundle.of(TRUST_DOMAIN, root)),
                MeshTransport.controlPlaneId(TRUST_DOMAIN), Clock.systemUTC());
        try {
            WorkloadKey key = WorkloadKey.generate();
            CreateCertificateResponse r = CertificateServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .createCertificate(CreateCertificateRequest.newBuilder().setCsrPem(key.csrPem(new SpiffeId(TRUST_DOMAIN, NAMESPACE, account)))
                            .setJoinToken(token(account)).build());
            Path cert = dir.resolve(account + ".pem");
            Path keyFile = dir.resolve(account + ".key");
            Files.writeString(cert, String.join("\n", r.getCertChainPemList()));
            Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.privateKey().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            return new Path[] {cert, keyFile};
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The output tails of every process, for a failure message. */
    String tails() {
        StringBuilder b = new StringBuilder();
        if (controlPlane != null) b.append(controlPlane.tail()).append('\n');
        for (StraitProcess p : others) b.append(p.tail()).append('\n');
        return b.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops every sidecar (SIGTERM, then SIGKILL), then the control plane, then the apps. */
    @Override
    public void close() {
        others.parallelStream().forEach(StraitProcess::close);
        if (controlPlane != null) controlPlane.close();
        apps.forEach(TestApp::close);
    }
}
