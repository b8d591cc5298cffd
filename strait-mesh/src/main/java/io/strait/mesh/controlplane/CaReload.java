package io.strait.mesh.controlplane;

import io.strait.mesh.ca.CaException;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.config.CaBootstrap;
import io.strait.mesh.config.ControlPlaneConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the CA's files (the generated root's directory, or the user's PKI files) and, when one changes,
 * reads them again: a root rotation step ({@code strait control-plane ca ...}) or a replaced intermediate
 * reaches the running control plane without a restart. The new material signs from then on, the control
 * plane's own SVID is renewed from it, and the new trust bundle is pushed to every sidecar.
 *
 * <p>Files are polled ({@link #POLL}), not watched with inotify: a poll sees a Kubernetes secret's symlink
 * swap and an editor's rename alike. A set of files that does not load (a step caught half-way, a key that
 * does not match its certificate) is refused, logged once, shown in {@code /status}, and the CA keeps signing
 * with what it had; the next change is tried again.
 */
final class CaReload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CaReload.class);
    /** How often the CA's files are looked at: a rotation step reaches the sidecars within this and a push. */
    static final Duration POLL = Duration.ofSeconds(2);

    /** What the last reload did, for {@code /status}: when it last applied files, and why the last try failed (or null). */
    record Status(Instant lastReload, String lastError) {}

    private final ControlPlaneConfig config;
    private final CertificateAuthority ca;
    private final Clock clock;
    private final Runnable applied;
    private final List<Path> files;
    private final ScheduledFuture<?> task;
    private List<String> seen;
    private volatile Status status = new Status(null, null);

    /**
     * @param applied run after new material is in use (renew the control plane's own SVID, push the bundle)
     */
    CaReload(ControlPlaneConfig config, CertificateAuthority ca, Clock clock, ScheduledExecutorService scheduler, Runnable applied) {
        this.config = config;
        this.ca = ca;
        this.clock = clock;
        this.applied = applied;
        this.files = CaBootstrap.files(config, clock);
        this.seen = fingerprint(files);
        this.task = scheduler.scheduleWithFixedDelay(this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    Status status() {
        return status;
    }

    /** One look at the files; reloads when they changed since the last look. Runs on the control plane's timer. */
    synchronized void poll() {
        List<String> now = fingerprint(files);
        if (now.equals(seen)) return;
        seen = now;
        try {
            CaBootstrap.Loaded loaded = CaBootstrap.load(config, clock, false);
            ca.use(loaded.material(), loaded.bundle());
            status = new Status(clock.instant(), null);
            log.info("control plane: CA files changed: signing as {}, trusting {} root(s)",
                    loaded.material().certificate().getSubjectX500Principal().getName(), loaded.bundle().roots().size());
            ca.expiryWarnings();
            applied.run();
        } catch (CaException | RuntimeException e) {
            status = new Status(status.lastReload(), e.getMessage());
            log.warn("control plane: CA files changed but were refused ({}); still signing with the previous CA", e.getMessage());
        }
    }

    /** Size and modification time of each file (or its absence): any change of a file shows. */
    private static List<String> fingerprint(List<Path> files) {
        List<String> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.add(a.size() + "@" + a.lastModifiedTime().toMillis() + "#" + a.fileKey());
            } catch (NoSuchFileException e) {
                out.add("absent");
            } catch (IOException e) {
                out.add("unreadable: " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
