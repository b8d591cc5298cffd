package io.strait.cli.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.cli.Main;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.store.FileStore;
import io.strait.mesh.token.JoinTokens;
import io.strait.mesh.token.TokenRefusedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code strait control-plane token create} end to end, in process, against the real file store. */
class ControlPlaneCommandTest {
    private static final Pattern TOKEN = Pattern.compile("sjt_[A-Za-z0-9_-]{43}");

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    private static Run strait(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String onlyToken(String text) {
        Matcher m = TOKEN.matcher(text);
        assertThat(m.find()).as("no token in %s", text).isTrue();
        String t = m.group();
        assertThat(m.find()).as("the token is printed once: %s", text).isFalse();
        return t;
    }

    @Test
    void createPrintsTheTokenOnceAndStoresOnlyItsHash() throws Exception {
        Path data = dir.resolve("cp");
        Run r = strait("control-plane", "token", "create", "--namespace", "shop", "--account", "orders", "--ttl", "1h",
                "--data-dir", data.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String token = onlyToken(r.out());
        assertThat(r.out()).contains("for service account shop/orders", "single use", "will not be shown again", data.resolve("store").toString());
        try (Stream<Path> files = Files.walk(data)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain(token.substring(4));
            }
        }
        // the control plane, reading the same directory, redeems it once
        try (FileStore store = FileStore.open(data.resolve("store"))) {
            JoinTokens tokens = new JoinTokens(store, "cluster.local", Clock.systemUTC(), new SecureRandom());
            assertThat(tokens.redeem(token).join()).isEqualTo(new SpiffeId("cluster.local", "shop", "orders"));
            Throwable again = org.assertj.core.api.Assertions.catchThrowable(() -> tokens.redeem(token).join());
            assertThat(again).isInstanceOf(CompletionException.class).cause().isInstanceOf(TokenRefusedException.class);
        }
    }

    @Test
    void boundedUseAndTheDataDirOfTheConfig() throws Exception {
        Path cfg = dir.resolve("cp.yaml");
        Files.writeString(cfg, "trustDomain: demo.local\ndataDir: state\n");
        Run r = strait("control-plane", "--config", cfg.toString(), "token", "create", "--namespace", "shop", "--account", "web",
                "--ttl", "2d", "--uses", "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("up to 3 uses");
        String token = onlyToken(r.out());
        try (FileStore store = FileStore.open(dir.resolve("state/store"))) {
            JoinTokens tokens = new JoinTokens(store, "demo.local", Clock.systemUTC(), new SecureRandom());
            for (int i = 0; i < 3; i++) assertThat(tokens.redeem(token).join().uri()).isEqualTo("spiffe://demo.local/ns/shop/sa/web");
            assertThat(tokens.list().join()).singleElement().satisfies(t -> assertThat(t.uses()).isEqualTo(3));
        }
    }

    @Test
    void badInputIsOneLineAndExitOne() throws Exception {
        String dataDir = dir.resolve("cp").toString();
        Run ttl = strait("control-plane", "token", "create", "--namespace", "shop", "--account", "orders", "--ttl", "soon", "--data-dir", dataDir);
        assertThat(ttl.code()).isEqualTo(1);
        assertThat(ttl.err().strip()).isEqualTo("strait control-plane token create: --ttl 'soon': use a duration such as 30m, 12h or 7d");
        Run shortTtl = strait("control-plane", "token", "create", "--namespace", "shop", "--account", "orders", "--ttl", "10s", "--data-dir", dataDir);
        assertThat(shortTtl.err()).contains("between 1m and 30d");
        Run ns = strait("control-plane", "token", "create", "--namespace", "..", "--account", "orders", "--ttl", "1h", "--data-dir", dataDir);
        assertThat(ns.code()).isEqualTo(1);
        assertThat(ns.err()).contains("the namespace must not be '.' or '..'");
        Run uses = strait("control-plane", "token", "create", "--namespace", "a", "--account", "b", "--ttl", "1h", "--uses", "0", "--data-dir", dataDir);
        assertThat(uses.err()).contains("between 1 and 1000");
        Run missing = strait("control-plane", "token", "create", "--namespace", "a", "--ttl", "1h");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--account");
        assertThat(Files.exists(dir.resolve("cp"))).as("nothing written on refusal").isFalse();
    }

    @Test
    void theCaStepsRotateTheGeneratedRootInItsDirectory() throws Exception {
        Path cfg = dir.resolve("cp.yaml");
        Files.writeString(cfg, "dataDir: state\n");
        Path caDir = dir.resolve("state/ca");
        new io.strait.mesh.ca.CaDirectory(caDir, "cluster.local", Clock.systemUTC()).loadOrGenerate();
        String firstRoot = Files.readString(caDir.resolve("root.pem"));

        Run promoteFirst = strait("control-plane", "--config", cfg.toString(), "ca", "promote-next-root");
        assertThat(promoteFirst.code()).isEqualTo(1);
        assertThat(promoteFirst.err()).startsWith("strait control-plane ca: ca.dir: no next root in ");

        Run add = strait("control-plane", "--config", cfg.toString(), "ca", "add-next-root");
        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).contains("added the next root", "next: ", "ca promote-next-root");
        assertThat(caDir.resolve("next-root.pem")).exists();
        assertThat(java.nio.file.Files.getPosixFilePermissions(caDir.resolve("next-root.key")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        String nextRoot = Files.readString(caDir.resolve("next-root.pem"));
        assertThat(add.out() + add.err()).doesNotContain("PRIVATE KEY");

        Run promote = strait("control-plane", "--config", cfg.toString(), "ca", "promote-next-root");
        assertThat(promote.code()).as(promote.err()).isZero();
        assertThat(Files.readString(caDir.resolve("root.pem"))).isEqualTo(nextRoot);
        assertThat(Files.readString(caDir.resolve("previous-root.pem"))).isEqualTo(firstRoot);
        assertThat(caDir.resolve("next-root.pem")).doesNotExist();

        Run drop = strait("control-plane", "--config", cfg.toString(), "ca", "drop-previous-root");
        assertThat(drop.code()).as(drop.err()).isZero();
        assertThat(drop.out()).contains("the rotation is complete");
        assertThat(caDir.resolve("previous-root.pem")).doesNotExist();

        Files.writeString(dir.resolve("mine.pem"), "a certificate");
        Files.writeString(dir.resolve("mine.key"), "a key");
        Files.writeString(cfg, "ca: {certFile: mine.pem, keyFile: mine.key}\n");
        Run ownPki = strait("control-plane", "--config", cfg.toString(), "ca", "add-next-root");
        assertThat(ownPki.code()).isEqualTo(1);
        assertThat(ownPki.err()).contains("ca.certFile is set: the CA is your own PKI");
    }

    @Test
    void theConfigIsCheckedWithPathsInErrors() throws Exception {
        Path cfg = dir.resolve("cp.yaml");
        Files.writeString(cfg, "trustDomain: Bad\nsvid: {ttl: 5s}\n");
        Run r = strait("control-plane", "--config", cfg.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(cfg + ": trustDomain: the trust domain 'Bad' must be lowercase",
                cfg + ": svid.ttl: must be between 10s and 30d (was 5s)");
        Run help = strait("control-plane");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("token", "--config");
    }
}
