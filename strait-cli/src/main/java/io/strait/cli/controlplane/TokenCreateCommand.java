package io.strait.cli.controlplane;

import io.strait.config.load.ConfigException;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.store.FileStore;
import io.strait.mesh.token.IssuedToken;
import io.strait.mesh.token.JoinTokens;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strait control-plane token create --namespace N --account A --ttl D [--uses K] [--data-dir DIR]}:
 * prints a join token once and writes only its hash into the control plane's file store
 * ({@code DIR/store}; DIR is {@code --data-dir}, else the {@code dataDir} of {@code control-plane --config FILE},
 * else {@value ControlPlaneConfig#DEFAULT_DATA_DIR}). A running control plane sees it at once.
 */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a join token and prints it once (only its hash is stored).")
final class TokenCreateCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smhd])");

    @Spec
    CommandSpec spec;

    @Option(names = "--namespace", required = true, paramLabel = "N", description = "the service account's namespace")
    String namespace;

    @Option(names = "--account", required = true, paramLabel = "A", description = "the service account")
    String account;

    @Option(names = "--ttl", required = true, paramLabel = "D", description = "how long the token may be redeemed: 30m, 12h, 7d (1m to 30d)")
    String ttl;

    @Option(names = "--uses", paramLabel = "K", defaultValue = "1", description = "how many sidecars may redeem it (default ${DEFAULT-VALUE}: single use; at most 1000)")
    int uses;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the control plane's data directory (default: dataDir of --config, else .strait/control-plane)")
    Path dataDir;

    @Override
    public Integer call() {
        Duration d = duration(ttl);
        if (d == null) return fail("--ttl '" + ttl + "': use a duration such as 30m, 12h or 7d");
        String bad = JoinTokens.checkRequest(namespace, account, d, uses);
        if (bad != null) return fail(bad);
        ControlPlaneConfig config;
        try {
            config = ((ControlPlaneCommand) spec.parent().parent().userObject()).configOrNull();
        } catch (ConfigException e) {
            return fail(String.join("; ", e.errors()));
        }
        Path dir = dataDir != null ? dataDir : config != null ? config.dataDir() : Path.of(ControlPlaneConfig.DEFAULT_DATA_DIR);
        String trustDomain = config != null ? config.trustDomain() : ControlPlaneConfig.DEFAULT_TRUST_DOMAIN;
        try (FileStore store = FileStore.open(dir.resolve(ControlPlaneConfig.STORE_SUBDIR))) {
            IssuedToken t = new JoinTokens(store, trustDomain, Clock.systemUTC(), new SecureRandom()).create(namespace, account, d, uses).join();
            PrintWriter out = spec.commandLine().getOut();
            out.println("Created join token " + t.id() + " for service account " + namespace + "/" + account + " in " + store.describe()
                    + ", expires " + t.expiresAt() + ", " + (uses == 1 ? "single use" : "up to " + uses + " uses"));
            out.println();
            out.println("  " + t.token());
            out.println();
            out.println("Copy it now: it will not be shown again (only its hash is stored).");
            out.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            Throwable c = JoinTokens.cause(e);
            return fail("cannot write the token to " + dir + ": " + c.getClass().getSimpleName() + (c.getMessage() == null ? "" : " " + c.getMessage()));
        }
    }

    static Duration duration(String s) {
        Matcher m = DURATION.matcher(s == null ? "" : s.trim());
        if (!m.matches()) return null;
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private int fail(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("strait control-plane token create: " + message);
        err.flush();
        return 1;
    }
}
