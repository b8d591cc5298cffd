package io.strait.cli.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.cli.mesh.MeshProcesses.Sidecar;
import io.strait.mesh.sidecar.AppSupervisor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh as processes: {@code strait control-plane} and three services, {@code frontend}, {@code orders} and
 * {@code users}, each an app behind a {@code strait sidecar} process, with {@link MeshProcesses#POLICIES} (frontend may
 * call orders, users may not; STRICT mutual TLS but for users, PERMISSIVE). Calls go app to its sidecar's outbound
 * port with {@code Host: <service>}, over mutual TLS to the callee's sidecar, to the callee's app.
 */
class MeshCallsProcessTest {
    /** How long a pushed change (endpoints, policies, peer authentication) may take to arrive: generous, the machine is shared. */
    static final Duration PUSHED = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static MeshProcesses mesh;
    static Sidecar frontend;
    static Sidecar orders;
    static Sidecar users;

    @BeforeAll
    static void startTheMesh() throws Exception {
        mesh = MeshProcesses.start(dir, "1h", MeshProcesses.POLICIES);
        mesh.sidecars("frontend", "orders", "users");
        frontend = mesh.sidecar("frontend");
        orders = mesh.sidecar("orders");
        users = mesh.sidecar("users");
        // frontend learns orders' endpoint and orders its policies from the control plane
        await().atMost(PUSHED).until(() -> frontend.call("GET", "orders", "/orders/warm-up", null).status() == 200);
    }

    @AfterAll
    static void stopTheMesh() {
        if (mesh != null) mesh.close();
    }

    @Test
    void anAllowedCallReachesTheAppWithTheCallersSpiffeIdInXfcc() throws Exception {
        int before = orders.app().count();
        MeshClient.Answer a = frontend.call("POST", "orders", "/orders", "{\"item\":42}",
                "X-Forwarded-Client-Cert: By=spiffe://evil;URI=spiffe://cluster.local/ns/default/sa/admin");
        assertThat(a.status()).as("%s\n%s", a, mesh.tails()).isEqualTo(200);
        assertThat(orders.app().seenSince(before)).singleElement().satisfies(seen -> {
            assertThat(seen.method()).isEqualTo("POST");
            assertThat(seen.path()).isEqualTo("/orders");
            assertThat(seen.body()).isEqualTo("{\"item\":42}");
            // Envoy's format, the caller's certificate hash in it; what the client sent is gone
            assertThat(seen.xfcc()).matches("By=spiffe://cluster.local/ns/default/sa/orders;Hash=[0-9a-f]{64};URI=spiffe://cluster.local/ns/default/sa/frontend");
        });
        assertThat(a.body()).startsWith("orders saw By=spiffe://cluster.local/ns/default/sa/orders;");
    }

    @Test
    void aDeniedCallIs403WithRbacAccessDeniedAndNeverReachesTheApp() throws Exception {
        int before = orders.app().count();
        // users learns orders' endpoint; every call it makes is denied by orders' sidecar (the DENY policy)
        await().atMost(PUSHED).until(() -> users.call("GET", "orders", "/orders/1", null).status() == 403);
        MeshClient.Answer denied = users.call("POST", "orders", "/orders", "{\"item\":1}");
        assertThat(denied.status()).as("%s", denied).isEqualTo(403);
        assertThat(denied.headers().get("content-type")).startsWith("application/json");
        assertThat(denied.body()).contains("\"error\":\"rbac_denied\"", "RBAC: access denied", "\"requestId\"");
        // frontend, allowed to POST and GET /orders, is denied what no ALLOW rule names (Istio: any ALLOW policy denies the rest)
        MeshClient.Answer notAllowed = frontend.call("DELETE", "orders", "/orders/1", null);
        assertThat(notAllowed.status()).as("%s", notAllowed).isEqualTo(403);
        assertThat(notAllowed.body()).contains("RBAC: access denied");
        // an allowed call after them: the app sees it, and it alone (the denied ones were answered before it was sent)
        assertThat(frontend.call("GET", "orders", "/orders/after-denials", null).status()).isEqualTo(200);
        assertThat(orders.app().seenSince(before)).extracting(TestApp.Seen::path).containsExactly("/orders/after-denials");
    }

    /**
     * The sidecars' request path loads no Jackson {@code ObjectMapper}: it is ~500 classes and ~4 MiB of every sidecar's
     * idle memory (issue 14's target; the dashboard once made one when the admin API bound). Sidecars here run without
     * the AOT cache, so what is loaded is what the code asked for.
     */
    @Test
    void sidecarsServingCallsLoadNoObjectMapper() throws Exception {
        assertThat(frontend.call("GET", "orders", "/orders/classes", null).status()).isEqualTo(200);
        for (Sidecar s : List.of(frontend, orders)) {
            String classes = jcmd(s.process().pid(), "VM.classes");
            assertThat(classes).as(s.service()).contains("io.strait.proxy.exchange.ProxyExchange"); // a real listing
            assertThat(classes).as(s.service()).doesNotContain("com.fasterxml.jackson.databind.ObjectMapper");
        }
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path out = dir.resolve("jcmd-" + pid + ".txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), command)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("jcmd " + command).isTrue();
        return Files.readString(out);
    }

    @Test
    void plaintextIsRefusedByAStrictInboundAndAcceptedByAPermissiveOne() throws Exception {
        int ordersBefore = orders.app().count();
        // users' PeerAuthentication (PERMISSIVE) is pushed: then plaintext reaches its app, with no caller identity
        await().atMost(PUSHED).until(() -> MeshClient.plaintextStatus(users.inboundPort(), "/profile") == 200);
        assertThat(users.app().seen().getLast()).satisfies(seen -> {
            assertThat(seen.path()).isEqualTo("/profile");
            assertThat(seen.xfcc()).as("a plaintext caller has no identity").isNull();
        });
        // orders is STRICT (the namespace's PeerAuthentication): no HTTP answer to plaintext, and the app never sees it
        assertThat(MeshClient.plaintextStatus(orders.inboundPort(), "/orders")).isEqualTo(-1);
        assertThat(MeshClient.plaintextStatus(orders.inboundPort(), "/orders/again")).isEqualTo(-1);
        assertThat(frontend.call("GET", "orders", "/orders/after-plaintext", null).status()).isEqualTo(200);
        assertThat(orders.app().seenSince(ordersBefore)).extracting(TestApp.Seen::path).containsExactly("/orders/after-plaintext");
    }

    @Test
    void opensslShowsTheSvidTheInboundPresents() throws Exception {
        Path[] client = mesh.issueSvid("operator"); // STRICT wants a client certificate: one the mesh issued
        String shown = run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + orders.inboundPort(), "-showcerts",
                "-cert", client[0].toString(), "-key", client[1].toString(), "-CAfile", dir.resolve("bundle.pem").toString()), null);
        Matcher pem = Pattern.compile("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----").matcher(shown);
        assertThat(pem.find()).as("openssl printed no certificate:\n%s", shown).isTrue();
        assertThat(shown).as("the chain leads to the mesh's root").contains("Verify return code: 0 (ok)");
        String text = run(List.of("openssl", "x509", "-noout", "-text"), pem.group());
        assertThat(text).contains("URI:spiffe://cluster.local/ns/default/sa/orders", "CA:FALSE", "Digital Signature",
                "TLS Web Server Authentication", "TLS Web Client Authentication");
        assertThat(text).containsPattern("X509v3 Subject Alternative Name: critical\\s+URI:spiffe://cluster.local/ns/default/sa/orders\\s");
    }

    @Test
    void aSidecarWithAUsedOrUnknownJoinTokenExitsWithTheReasonAndNeverStartsItsApp() throws Exception {
        String used = Files.readString(dir.resolve("frontend.token")).strip(); // redeemed when frontend joined
        String unknown = "sjt_" + "A".repeat(43);
        Files.writeString(dir.resolve("unknown.token"), unknown + "\n");
        Path usedRan = dir.resolve("used-token-app-ran");
        Path unknownRan = dir.resolve("unknown-token-app-ran");
        StraitProcess again = mesh.startSidecar("frontend-used-token", mesh.sidecarConfig("frontend-again.yaml", "frontend",
                frontend.app().port(), "frontend.token"), List.of("--", "sh", "-c", "touch " + usedRan));
        StraitProcess stranger = mesh.startSidecar("orders-unknown-token", mesh.sidecarConfig("orders-unknown.yaml", "orders",
                orders.app().port(), "unknown.token"), List.of("--", "sh", "-c", "touch " + unknownRan));
        for (StraitProcess p : List.of(again, stranger)) {
            assertThat(p.awaitExit()).as(p.tail()).isEqualTo(AppSupervisor.NOT_READY);
            assertThat(p.output()).as(p.tail())
                    .contains("strait sidecar: the control plane refused the first certificate: UNAUTHENTICATED: join token refused")
                    .doesNotContain(used.substring(4)).doesNotContain(unknown.substring(4));
        }
        assertThat(usedRan).doesNotExist();
        assertThat(unknownRan).doesNotExist();
        // the control plane's log says which refusal it was, never the token
        Path cpLog = dir.resolve("control-plane.log");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(cpLog).contains("refused: used up")
                && Files.readString(cpLog).contains("refused: unknown"));
        assertThat(Files.readString(cpLog)).doesNotContain(used.substring(4)).doesNotContain(unknown.substring(4));
    }

    /** Runs {@code cmd} with {@code stdin} (or none), returns its output (stdout and stderr); a process that hangs fails the test. */
    private static String run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Path in = Files.writeString(Files.createTempFile(dir, "stdin", ".txt"), stdin == null ? "" : stdin);
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(in.toFile()).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s did not end: %s", cmd, Files.readString(out)).isTrue();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }
}
