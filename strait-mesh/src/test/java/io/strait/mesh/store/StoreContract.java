package io.strait.mesh.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.mesh.store.ControlPlaneStore.Entry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link ControlPlaneStore} does, run against each implementation. */
abstract class StoreContract {
    abstract ControlPlaneStore store();

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(Entry e) {
        return new String(e.value(), StandardCharsets.UTF_8);
    }

    @Test
    void compareAndSetCreatesUpdatesAndRefusesAStaleVersion() {
        ControlPlaneStore st = store();
        assertThat(st.get("tokens/a").join()).isEmpty();
        assertThat(st.compareAndSet("tokens/a", ControlPlaneStore.ABSENT, b("one")).join()).isTrue();
        assertThat(st.compareAndSet("tokens/a", ControlPlaneStore.ABSENT, b("again")).join()).as("exists already").isFalse();
        Entry e = st.get("tokens/a").join().orElseThrow();
        assertThat(s(e)).isEqualTo("one");
        assertThat(st.compareAndSet("tokens/a", e.version(), b("two")).join()).isTrue();
        assertThat(st.compareAndSet("tokens/a", e.version(), b("stale")).join()).isFalse();
        Entry e2 = st.get("tokens/a").join().orElseThrow();
        assertThat(s(e2)).isEqualTo("two");
        assertThat(e2.version()).isGreaterThan(e.version());
        assertThat(st.delete("tokens/a", e.version()).join()).isFalse();
        assertThat(st.delete("tokens/a", e2.version()).join()).isTrue();
        assertThat(st.get("tokens/a").join()).isEmpty();
        assertThat(st.delete("tokens/a", e2.version()).join()).isFalse();
    }

    @Test
    void listsByPrefix() {
        ControlPlaneStore st = store();
        st.compareAndSet("tokens/b", 0, b("b")).join();
        st.compareAndSet("tokens/a", 0, b("a")).join();
        st.compareAndSet("serials/01", 0, b("s")).join();
        assertThat(st.list("tokens/").join()).extracting(Entry::key).containsExactly("tokens/a", "tokens/b");
        assertThat(st.list("serials/").join()).extracting(StoreContract::s).containsExactly("s");
        assertThat(st.list("nothing/").join()).isEmpty();
    }

    @Test
    void refusesKeysThatAreNotPlainSegments() {
        ControlPlaneStore st = store();
        for (String bad : List.of("", "../x", "a/../b", "a//b", "/a", "a/", ".hidden", "a b", "a\\b")) {
            assertThatThrownBy(() -> st.get(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void exactlyOneOfManyConcurrentWritersWinsAVersion() throws Exception {
        ControlPlaneStore st = store();
        st.compareAndSet("k", 0, b("0")).join();
        long v = st.get("k").join().orElseThrow().version();
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    go.await();
                    return st.compareAndSet("k", v, b("w" + id)).join();
                }));
            }
            go.countDown();
            int wins = 0;
            for (Future<Boolean> f : results) wins += f.get() ? 1 : 0;
            assertThat(wins).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void valuesAreCopiesNotShared() {
        ControlPlaneStore st = store();
        byte[] v = b("abc");
        st.compareAndSet("k", 0, v).join();
        v[0] = 'X';
        CompletableFuture<java.util.Optional<Entry>> got = st.get("k");
        assertThat(s(got.join().orElseThrow())).isEqualTo("abc");
    }
}
