package io.strait.mesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on files, and what only files do: survive a restart, owner-only, no half-written entries. */
class FileStoreTest extends StoreContract {
    @TempDir
    Path dir;
    private final List<FileStore> open = new ArrayList<>();

    @Override
    ControlPlaneStore store() {
        try {
            FileStore s = FileStore.open(dir.resolve("store"));
            open.add(s);
            return s;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void close() {
        open.forEach(FileStore::close);
    }

    @Test
    void entriesSurviveARestart() throws Exception {
        ControlPlaneStore first = store();
        first.compareAndSet("tokens/abc", 0, b("hello")).join();
        long v = first.get("tokens/abc").join().orElseThrow().version();
        first.close();
        ControlPlaneStore second = store();
        var e = second.get("tokens/abc").join().orElseThrow();
        assertThat(s(e)).isEqualTo("hello");
        assertThat(e.version()).isEqualTo(v);
        assertThat(second.compareAndSet("tokens/abc", v, b("next")).join()).isTrue();
        assertThat(second.list("tokens/").join()).hasSize(1);
    }

    @Test
    void filesAreOwnerOnlyAndNoTempFileIsLeft() throws Exception {
        ControlPlaneStore st = store();
        for (int i = 0; i < 5; i++) {
            long v = st.get("tokens/x").join().map(ControlPlaneStore.Entry::version).orElse(0L);
            st.compareAndSet("tokens/x", v, b("v" + i)).join();
        }
        Path file = dir.resolve("store/tokens/x.entry");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("store")))).isEqualTo("rwx------");
        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void twoStoresOnOneDirectoryShareIt() throws Exception {
        ControlPlaneStore a = store();
        ControlPlaneStore b = store();
        assertThat(a.compareAndSet("k", 0, b("from a")).join()).isTrue();
        assertThat(b.compareAndSet("k", 0, b("from b")).join()).isFalse();
        assertThat(s(b.get("k").join().orElseThrow())).isEqualTo("from a");
    }
}
