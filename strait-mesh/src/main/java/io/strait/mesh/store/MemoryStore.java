package io.strait.mesh.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** The store of one control plane, in memory: fast, and gone when the process stops. */
public final class MemoryStore implements ControlPlaneStore {
    private final ConcurrentSkipListMap<String, Entry> entries = new ConcurrentSkipListMap<>();
    private final AtomicLong revision = new AtomicLong();

    @Override
    public CompletableFuture<Optional<Entry>> get(String key) {
        return CompletableFuture.completedFuture(Optional.ofNullable(entries.get(ControlPlaneStore.checkKey(key))).map(MemoryStore::copy));
    }

    @Override
    public CompletableFuture<List<Entry>> list(String prefix) {
        return CompletableFuture.completedFuture(entries.tailMap(prefix).entrySet().stream()
                .takeWhile(e -> e.getKey().startsWith(prefix)).map(e -> copy(e.getValue())).toList());
    }

    @Override
    public CompletableFuture<Boolean> compareAndSet(String key, long expectedVersion, byte[] value) {
        ControlPlaneStore.checkKey(key);
        boolean[] done = {false};
        // ConcurrentSkipListMap may call the function more than once (it retries a lost race): the last call decides
        entries.compute(key, (k, old) -> {
            done[0] = false;
            long current = old == null ? ABSENT : old.version();
            if (current != expectedVersion) return old;
            done[0] = true;
            return new Entry(k, value.clone(), revision.incrementAndGet());
        });
        return CompletableFuture.completedFuture(done[0]);
    }

    @Override
    public CompletableFuture<Boolean> delete(String key, long expectedVersion) {
        ControlPlaneStore.checkKey(key);
        boolean[] done = {false};
        entries.computeIfPresent(key, (k, old) -> {
            done[0] = false;
            if (old.version() != expectedVersion) return old;
            done[0] = true;
            return null;
        });
        return CompletableFuture.completedFuture(done[0]);
    }

    @Override
    public String describe() {
        return "memory";
    }

    private static Entry copy(Entry e) {
        return new Entry(e.key(), e.value().clone(), e.version());
    }
}
