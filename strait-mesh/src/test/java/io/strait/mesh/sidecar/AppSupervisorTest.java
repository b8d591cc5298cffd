package io.strait.mesh.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child processes (sh): started only when ready, exit codes passed on, the proxy drained after the app. */
class AppSupervisorTest {
    private static final Duration LONG = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final AtomicBoolean drained = new AtomicBoolean();
    /** Whether the app's marker file existed when the drain began: the app ran before the proxy stopped. */
    private final AtomicReference<Boolean> appRanBeforeDrain = new AtomicReference<>();

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private AppSupervisor supervisor(Duration readyTimeout, Duration grace, String script) {
        Path marker = dir.resolve("started");
        return new AppSupervisor(new AppSupervisor.Settings(
                List.of("sh", "-c", "touch '" + marker + "'; " + script), readyTimeout, grace), () -> {
            appRanBeforeDrain.set(Files.exists(marker));
            drained.set(true);
        });
    }

    private Path marker() {
        return dir.resolve("started");
    }

    @Test
    void theAppStartsOnlyOnceTheSidecarIsReadyAndItsExitCodeIsTheSidecars() throws Exception {
        AppSupervisor s = supervisor(LONG, LONG, "exit 3");
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Future<Integer> code = pool.submit(() -> s.run(ready));

        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> !Files.exists(marker()) && !s.appStarted());
        ready.complete(null);

        assertThat(code.get(10, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(Files.exists(marker())).isTrue();
        assertThat(drained).isTrue();
        assertThat(appRanBeforeDrain.get()).isTrue();
    }

    @Test
    void anAppEndedBySignalGivesOneHundredTwentyEightPlusTheSignal() throws Exception {
        AppSupervisor s = supervisor(LONG, LONG, "kill -TERM $$");
        assertThat(s.run(CompletableFuture.completedFuture(null))).isEqualTo(128 + 15);
        assertThat(drained).isTrue();
    }

    @Test
    void aSidecarNotReadyInTimeNeverStartsTheApp() throws Exception {
        AppSupervisor s = supervisor(Duration.ofMillis(200), LONG, "exit 0");
        assertThat(s.run(new CompletableFuture<>())).isEqualTo(AppSupervisor.NOT_READY);
        assertThat(s.appStarted()).isFalse();
        assertThat(Files.exists(marker())).isFalse();
        assertThat(drained).isTrue();
    }

    @Test
    void aSidecarThatFailedToStartNeverStartsTheApp() throws Exception {
        AppSupervisor s = supervisor(LONG, LONG, "exit 0");
        assertThat(s.run(CompletableFuture.failedFuture(new IllegalStateException("port in use"))))
                .isEqualTo(AppSupervisor.NOT_READY);
        assertThat(Files.exists(marker())).isFalse();
    }

    @Test
    void aCommandThatDoesNotExistIs127() throws Exception {
        AppSupervisor s = new AppSupervisor(new AppSupervisor.Settings(
                List.of(dir.resolve("no-such-app").toString()), LONG, LONG), () -> drained.set(true));
        assertThat(s.run(CompletableFuture.completedFuture(null))).isEqualTo(AppSupervisor.CANNOT_START);
        assertThat(drained).isTrue();
    }

    @Test
    void stoppingTheSidecarSignalsTheAppAndWaitsForItBeforeDraining() throws Exception {
        // the app catches SIGTERM and exits cleanly with its own code
        AppSupervisor s = supervisor(LONG, LONG, "trap 'exit 7' TERM; while :; do sleep 0.05; done");
        Future<Integer> code = pool.submit(() -> s.run(CompletableFuture.completedFuture(null)));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker()));
        assertThat(drained).isFalse();

        assertThat(s.stop()).isEqualTo(7);
        assertThat(code.get(10, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(drained).isTrue();
    }

    @Test
    void anAppThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        AppSupervisor s = supervisor(LONG, Duration.ofMillis(300), "trap '' TERM; while :; do sleep 0.05; done");
        Future<Integer> code = pool.submit(() -> s.run(CompletableFuture.completedFuture(null)));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker()));

        assertThat(s.stop()).isEqualTo(128 + 9);
        assertThat(code.get(10, TimeUnit.SECONDS)).isEqualTo(128 + 9);
        assertThat(drained).isTrue();
    }

    @Test
    void stoppingBeforeTheSidecarIsReadyNeverStartsTheApp() throws Exception {
        AppSupervisor s = supervisor(LONG, LONG, "exit 0");
        Future<Integer> code = pool.submit(() -> s.run(new CompletableFuture<>()));
        assertThat(s.stop()).isEqualTo(AppSupervisor.STOPPED_BEFORE_START);
        assertThat(code.get(10, TimeUnit.SECONDS)).isEqualTo(AppSupervisor.STOPPED_BEFORE_START);
        assertThat(Files.exists(marker())).isFalse();
        assertThat(drained).isTrue();
    }
}
