package io.strait.mesh.meshconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strait.config.load.ConfigException;
import io.strait.mesh.config.ControlPlaneConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloads of real files: on demand and on change, accepted or refused (the previous configuration stays). */
class MeshConfigSourceTest {
    private static final Duration WATCH_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static String peer(String namespace, String mode) {
        return """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: %s}
                spec: {mtls: {mode: %s}}
                """.formatted(namespace, mode);
    }

    private Path policies() throws Exception {
        return Files.createDirectories(dir.resolve("policies"));
    }

    @Test
    void reloadOnDemandAcceptsAChangeAndRefusesABadOne() throws Exception {
        Files.writeString(policies().resolve("peers.yaml"), peer("istio-system", "STRICT"));
        try (MeshConfigSource source = MeshConfigSource.start(List.of(Path.of("policies")), dir, "istio-system", false)) {
            List<MeshConfig> heard = new CopyOnWriteArrayList<>();
            source.onChange(heard::add);
            assertThat(source.version()).isEqualTo(1);
            assertThat(source.current().mtlsMode("shop", Map.of(), 80)).isEqualTo(MtlsMode.STRICT);

            MeshConfigSource.Reload same = source.reload();
            assertThat(same.accepted()).isTrue();
            assertThat(same.changed()).isFalse();
            assertThat(heard).isEmpty();

            Files.writeString(policies().resolve("shop.yaml"), peer("shop", "PERMISSIVE"));
            MeshConfigSource.Reload changed = source.reload();
            assertThat(changed.changed()).isTrue();
            assertThat(changed.version()).isEqualTo(2);
            assertThat(source.current().mtlsMode("shop", Map.of(), 80)).isEqualTo(MtlsMode.PERMISSIVE);
            assertThat(heard).containsExactly(source.current());

            MeshConfig good = source.current();
            Files.writeString(policies().resolve("shop.yaml"), peer("shop", "SOMETIMES"));
            MeshConfigSource.Reload refused = source.reloadAsync().get();
            assertThat(refused.accepted()).isFalse();
            assertThat(refused.errors()).containsExactly("policies/shop.yaml: [0] spec.mtls.mode: must be STRICT,"
                    + " PERMISSIVE, DISABLE or UNSET, not 'SOMETIMES'");
            assertThat(source.current()).isSameAs(good);
            assertThat(source.version()).isEqualTo(2);
            assertThat(heard).hasSize(1);
        }
    }

    @Test
    void aBadStartIsRefused() throws Exception {
        Files.writeString(policies().resolve("x.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
        assertThatThrownBy(() -> MeshConfigSource.start(List.of(Path.of("policies")), dir, "istio-system", false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("policies/x.yaml: [0] kind: unknown kind 'ConfigMap': expected one of AuthorizationPolicy,"
                        + " PeerAuthentication, TrafficPolicy");
    }

    @Test
    void aChangedDirectoryIsReloadedAndABrokenEditKeepsThePrevious() throws Exception {
        Files.writeString(policies().resolve("peers.yaml"), peer("istio-system", "STRICT"));
        try (MeshConfigSource source = MeshConfigSource.start(List.of(Path.of("policies")), dir, "istio-system", true)) {
            // a new file in the directory
            replace(policies().resolve("shop.yaml"), peer("shop", "PERMISSIVE"));
            await().atMost(WATCH_WAIT).until(() -> source.current().mtlsMode("shop", Map.of(), 80) == MtlsMode.PERMISSIVE);
            long version = source.version();
            // a broken edit, then a good one: the broken one never takes effect
            replace(policies().resolve("peers.yaml"), "kind: [broken\n");
            replace(policies().resolve("marker.yaml"), peer("marker", "STRICT"));
            await().during(Duration.ofMillis(FilesWatcher.MAX_DELAY_MILLIS)).atMost(WATCH_WAIT)
                    .until(() -> source.version() == version);
            assertThat(source.current().mtlsMode("other", Map.of(), 80)).isEqualTo(MtlsMode.STRICT);
            replace(policies().resolve("peers.yaml"), peer("istio-system", "PERMISSIVE"));
            await().atMost(WATCH_WAIT).until(() -> source.current().mtlsMode("other", Map.of(), 80) == MtlsMode.PERMISSIVE);
            assertThat(source.current().mtlsMode("marker", Map.of(), 80)).isEqualTo(MtlsMode.STRICT);
            // a removed file
            Files.delete(policies().resolve("marker.yaml"));
            await().atMost(WATCH_WAIT).until(() -> source.current().mtlsMode("marker", Map.of(), 80) == MtlsMode.PERMISSIVE);
        }
    }

    /** Writes {@code file} whole at once (a rename), so that the watcher never reads it half written. */
    private void replace(Path file, String text) throws Exception {
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aWatchedFileSourceSeesAKubernetesStyleSwap() throws Exception {
        // Kubernetes mounts a ConfigMap as name -> ..data/name, ..data -> ..<timestamp>; an update swaps ..data
        Path mount = Files.createDirectories(dir.resolve("mount"));
        Path v1 = Files.createDirectories(mount.resolve("..v1"));
        Files.writeString(v1.resolve("mesh.yaml"), peer("istio-system", "STRICT"));
        Files.createSymbolicLink(mount.resolve("..data"), Path.of("..v1"));
        Files.createSymbolicLink(mount.resolve("mesh.yaml"), Path.of("..data/mesh.yaml"));
        try (MeshConfigSource source = MeshConfigSource.start(List.of(mount.resolve("mesh.yaml")), dir, "istio-system", true)) {
            assertThat(source.current().mtlsMode("a", Map.of(), 1)).isEqualTo(MtlsMode.STRICT);
            Path v2 = Files.createDirectories(mount.resolve("..v2"));
            Files.writeString(v2.resolve("mesh.yaml"), peer("istio-system", "PERMISSIVE"));
            Path next = mount.resolve("..data_tmp");
            Files.createSymbolicLink(next, Path.of("..v2"));
            Files.move(next, mount.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            await().atMost(WATCH_WAIT).until(() -> source.current().mtlsMode("a", Map.of(), 1) == MtlsMode.PERMISSIVE);
        }
    }

    @Test
    void startsFromTheControlPlaneConfig() throws Exception {
        Files.writeString(policies().resolve("peers.yaml"), peer("mesh-root", "STRICT"));
        var config = ControlPlaneConfigReader.parse("policies: policies\nrootNamespace: mesh-root\n", "cp.yaml", dir);
        try (MeshConfigSource source = MeshConfigSource.start(config)) {
            assertThat(source.current().rootNamespace()).isEqualTo("mesh-root");
            assertThat(source.current().mtlsMode("shop", Map.of(), 80)).isEqualTo(MtlsMode.STRICT);
        }
    }
}
