package io.strait.proxy.runtime;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file watcher: other files in the folder neither delay nor fake a change; Kubernetes symlink swaps count. */
class ConfigWatcherTest {
    @TempDir
    Path dir;

    @Test
    void aLoopOfWritesToAnotherFileDoesNotHoldBackTheConfigsChange() throws Exception {
        Path config = Files.writeString(dir.resolve("strait.yaml"), "a: 1\n");
        AtomicInteger changes = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread noise = new Thread(() -> {
            // another file in the same folder, written far more often than the quiet period
            for (int i = 0; writing.get(); i++) {
                try {
                    Files.writeString(dir.resolve("other.log"), "line " + i + "\n");
                    Thread.sleep(10); // creates the noise on purpose: a write every 10 ms
                } catch (Exception e) {
                    return;
                }
            }
        });
        try (ConfigWatcher w = ConfigWatcher.start(config, changes::incrementAndGet)) {
            noise.start();
            // the noise alone is not a change
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> changes.get() == 0);
            Files.writeString(config, "a: 2\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);
        } finally {
            writing.set(false);
            noise.join();
        }
    }

    @Test
    void aKubernetesStyleSymlinkSwapIsAChange() throws Exception {
        // The layout of a mounted ConfigMap: strait.yaml -> ..data/strait.yaml, ..data -> ..2026_01
        Path v1 = Files.createDirectory(dir.resolve("..2026_01"));
        Files.writeString(v1.resolve("strait.yaml"), "a: 1\n");
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_01"));
        Path config = Files.createSymbolicLink(dir.resolve("strait.yaml"), Path.of("..data/strait.yaml"));
        AtomicInteger changes = new AtomicInteger();
        try (ConfigWatcher w = ConfigWatcher.start(config, changes::incrementAndGet)) {
            // kubelet's update: a new version folder, a new link renamed over ..data, the old folder removed
            Path v2 = Files.createDirectory(dir.resolve("..2026_02"));
            Files.writeString(v2.resolve("strait.yaml"), "a: 2\n");
            Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2026_02"));
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            Files.delete(v1.resolve("strait.yaml"));
            Files.delete(v1);
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> changes.get() == 1);
        }
    }

    @Test
    void aFileWrittenWithoutPauseIsStillRead() throws Exception {
        Path config = Files.writeString(dir.resolve("strait.yaml"), "a: 0\n");
        AtomicInteger changes = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int i = 1; writing.get(); i++) {
                try {
                    Files.writeString(config, "a: " + i + "\n");
                    Thread.sleep(20); // creates a stream of changes on purpose: one every 20 ms
                } catch (Exception e) {
                    return;
                }
            }
        });
        try (ConfigWatcher w = ConfigWatcher.start(config, changes::incrementAndGet)) {
            writer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() >= 1);
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    @Test
    void aLinkSwappedInAFolderNobodyWatchesIsFoundByTheBackstop() throws Exception {
        // strait.yaml -> elsewhere/current -> real/v1.yaml: "elsewhere" is neither the file's folder nor its real path's
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path real = Files.createDirectory(dir.resolve("real"));
        Files.writeString(real.resolve("v1.yaml"), "a: 1\n");
        Files.writeString(real.resolve("v2.yaml"), "a: 2\n");
        Files.createSymbolicLink(elsewhere.resolve("current"), real.resolve("v1.yaml"));
        Path config = Files.createSymbolicLink(dir.resolve("strait.yaml"), elsewhere.resolve("current"));
        AtomicInteger changes = new AtomicInteger();
        try (ConfigWatcher w = ConfigWatcher.start(config, java.util.Set.of(), 300, changes::incrementAndGet)) {
            Files.createSymbolicLink(elsewhere.resolve("next"), real.resolve("v2.yaml"));
            Files.move(elsewhere.resolve("next"), elsewhere.resolve("current"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 1);
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> changes.get() == 1);
        }
    }

    @Test
    void aReferencedFileIsWatchedAndOneNoLongerReferencedIsNot() throws Exception {
        Path config = Files.writeString(dir.resolve("strait.yaml"), "a: 1\n");
        Path secrets = Files.createDirectory(dir.resolve("secrets"));
        Path token = Files.writeString(secrets.resolve("token"), "t1");
        AtomicInteger changes = new AtomicInteger();
        try (ConfigWatcher w = ConfigWatcher.start(config, java.util.Set.of(token), changes::incrementAndGet)) {
            Files.writeString(token, "t2-longer");
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);
            w.watchAlso(java.util.Set.of());
            Files.writeString(token, "t3-longer-still");
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> changes.get() == 1);
        }
    }

    @Test
    void vimsRenameAndWriteIsOneChange() throws Exception {
        Path config = Files.writeString(dir.resolve("strait.yaml"), "a: 1\n");
        AtomicInteger changes = new AtomicInteger();
        try (ConfigWatcher w = ConfigWatcher.start(config, changes::incrementAndGet)) {
            Files.move(config, dir.resolve("strait.yaml~"), StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(config, "a: 2\n");
            Files.delete(dir.resolve("strait.yaml~"));
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() == 1);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> changes.get() == 1);
        }
    }
}
