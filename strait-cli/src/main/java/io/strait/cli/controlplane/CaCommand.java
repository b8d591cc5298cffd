package io.strait.cli.controlplane;

import io.strait.config.load.ConfigException;
import io.strait.mesh.ca.CaDirectory;
import io.strait.mesh.ca.CaException;
import io.strait.mesh.config.ControlPlaneConfig;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code strait control-plane [--config FILE] ca add-next-root | promote-next-root | drop-previous-root}: the three
 * steps of a generated root's rotation, on the files in {@code ca.dir}. A running control plane notices each step
 * within a few seconds, signs with what the step left and pushes the new trust bundle to every sidecar, so the
 * steps need no restart. With your own PKI ({@code ca.certFile}) rotation is done on your files instead.
 */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "Rotates the generated mesh root in three steps (a running control plane picks each up within seconds).")
final class CaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "add-next-root", mixinStandardHelpOptions = true,
            description = "Step 1: generates the next root; it is trusted (added to the bundle) but does not sign yet.")
    int addNextRoot() {
        return step(dir -> dir.addNextRoot(), "added the next root: it is in the trust bundle, not yet signing",
                "when every sidecar has the new bundle (control plane /status: each stream's trust bundle acked), run 'ca promote-next-root'");
    }

    @Command(name = "promote-next-root", mixinStandardHelpOptions = true,
            description = "Step 2: the next root signs from now on; the old one stays trusted (its key is deleted).")
    int promoteNextRoot() {
        return step(dir -> dir.promoteNextRoot(), "the next root signs now; the previous one stays trusted",
                "once the SVIDs of the previous root have expired (one svid.ttl from now), run 'ca drop-previous-root'");
    }

    @Command(name = "drop-previous-root", mixinStandardHelpOptions = true,
            description = "Step 3: the previous root is trusted no more.")
    int dropPreviousRoot() {
        return step(dir -> dir.dropPreviousRoot(), "dropped the previous root from the trust bundle", "the rotation is complete");
    }

    private interface Step {
        void apply(CaDirectory dir) throws CaException;
    }

    private int step(Step step, String done, String next) {
        ControlPlaneConfig config;
        try {
            config = ((ControlPlaneCommand) spec.parent().userObject()).configOrNull();
        } catch (ConfigException e) {
            return fail(String.join("; ", e.errors()));
        }
        if (config != null && config.ca().fromFiles()) {
            return fail("ca.certFile is set: the CA is your own PKI; rotate it with ca.bundleFile and ca.certFile/ca.keyFile "
                    + "(docs/mesh.md, 'Trust bundle and root rotation')");
        }
        String trustDomain = config != null ? config.trustDomain() : ControlPlaneConfig.DEFAULT_TRUST_DOMAIN;
        Path caDir = config != null ? config.ca().dir() : Path.of(ControlPlaneConfig.DEFAULT_DATA_DIR, ControlPlaneConfig.DEFAULT_CA_SUBDIR);
        CaDirectory dir = new CaDirectory(caDir, trustDomain, Clock.systemUTC());
        try {
            step.apply(dir);
        } catch (CaException e) {
            return fail(e.getMessage());
        }
        spec.commandLine().getOut().println("strait control-plane ca: " + done + " (" + dir.directory() + ")");
        spec.commandLine().getOut().println("  next: " + next);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("strait control-plane ca: " + message);
        return 1;
    }
}
