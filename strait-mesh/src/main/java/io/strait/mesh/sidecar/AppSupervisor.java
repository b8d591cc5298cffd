package io.strait.mesh.sidecar;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the application beside its sidecar ({@code strait sidecar ... -- CMD ARGS}), for the two oldest
 * complaints about sidecars: an app that starts before its proxy can route (its first calls fail), and a
 * batch job whose pod never finishes because the proxy stays up after the job is done.
 *
 * <ul>
 *   <li>The app starts only once the sidecar is ready; not ready within {@link Settings#readyTimeout()}, it
 *       is never started and the sidecar exits with {@link #NOT_READY}.
 *   <li>When the app exits, the sidecar drains (stops accepting, lets requests in flight finish) and exits
 *       with the app's exit code: 128 + N when a signal N ended it, as a shell reports it.
 *   <li>When the sidecar is asked to stop ({@link #stop()}, from its SIGTERM hook), the app gets SIGTERM
 *       first and {@link Settings#stopGrace()} to exit, then SIGKILL; the proxy drains after the app is
 *       gone, so the app's last outbound calls still have their proxy.
 * </ul>
 *
 * The app inherits the sidecar's standard streams and environment. One run per instance.
 */
public final class AppSupervisor {
    private static final Logger log = LoggerFactory.getLogger(AppSupervisor.class);

    /** Exit code when the sidecar never became ready: the app was not started. */
    public static final int NOT_READY = 70; // EX_SOFTWARE (sysexits.h)
    /** Exit code when the app could not be started (no such command, not executable): a shell's 127. */
    public static final int CANNOT_START = 127;
    /** Exit code when the sidecar was asked to stop before the app ever ran: as a process ended by SIGTERM. */
    public static final int STOPPED_BEFORE_START = 128 + 15;

    /**
     * @param command     the app and its arguments, non-empty
     * @param readyTimeout how long the sidecar may take to become ready before giving up
     * @param stopGrace   how long the app has to exit after SIGTERM before SIGKILL
     */
    public record Settings(List<String> command, Duration readyTimeout, Duration stopGrace) {
        public Settings {
            command = List.copyOf(command);
            if (command.isEmpty()) throw new IllegalArgumentException("no command to run");
            Objects.requireNonNull(readyTimeout, "readyTimeout");
            Objects.requireNonNull(stopGrace, "stopGrace");
        }
    }

    private final Settings settings;
    private final Runnable drain;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile Process app;
    private volatile boolean stopping;
    private final CompletableFuture<Void> stopRequested = new CompletableFuture<>();

    /**
     * @param drain stops the sidecar's proxy gracefully (blocking until done); called once, after the app
     *              has exited or was never started
     */
    public AppSupervisor(Settings settings, Runnable drain) {
        this.settings = settings;
        this.drain = drain;
    }

    /**
     * Waits for {@code ready}, runs the app, and when it exits drains the proxy. Blocks the calling thread
     * (the CLI's main thread, never an event loop) and returns the code the sidecar should exit with.
     */
    public int run(CompletableFuture<?> ready) throws InterruptedException {
        int code = superviseApp(ready);
        drainOnce();
        exit.complete(code);
        return code;
    }

    private int superviseApp(CompletableFuture<?> ready) throws InterruptedException {
        try {
            CompletableFuture.anyOf(ready, stopRequested).get(settings.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.error("the sidecar was not ready within {}; the app was not started", settings.readyTimeout());
            return NOT_READY;
        } catch (ExecutionException e) {
            log.error("the sidecar failed to start ({}); the app was not started", e.getCause().toString());
            return NOT_READY;
        }
        synchronized (this) {
            if (stopping) return STOPPED_BEFORE_START;
            try {
                app = new ProcessBuilder(settings.command()).inheritIO().start();
            } catch (IOException e) {
                log.error("cannot start the app {}: {}", settings.command().get(0), e.getMessage());
                return CANNOT_START;
            }
        }
        log.info("app started (pid {}): {}", app.pid(), settings.command().get(0));
        int code = app.waitFor(); // the JDK reports 128 + N for a process ended by signal N
        log.info("app exited with {}; draining the sidecar", code);
        return code;
    }

    /** Whether the app has been started (it may have exited since). */
    public boolean appStarted() {
        return app != null;
    }

    /**
     * Stops the app (SIGTERM, then SIGKILL after the grace period) and waits until {@link #run} has drained
     * the proxy, for a SIGTERM hook. Called before the app started, the app never starts. Returns
     * the code {@link #run} returns.
     */
    public int stop() throws InterruptedException {
        Process p;
        synchronized (this) {
            stopping = true;
            p = app;
        }
        stopRequested.complete(null);
        if (p != null && p.isAlive()) {
            p.destroy(); // SIGTERM
            if (!p.waitFor(settings.stopGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("the app did not exit within {} of SIGTERM; killing it", settings.stopGrace());
                p.destroyForcibly();
            }
        }
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void drainOnce() {
        try {
            drain.run();
        } catch (RuntimeException e) {
            log.warn("draining the sidecar failed: {}", e.toString());
        }
    }
}
