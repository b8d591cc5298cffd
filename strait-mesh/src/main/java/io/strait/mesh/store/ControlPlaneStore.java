package io.strait.mesh.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The control plane's state (join tokens, issued serials; later the registry and policies) as versioned
 * key-value entries, the shape etcd has, so that an etcd store can come without changing its users.
 * Keys are {@code /}-separated segments of {@code [A-Za-z0-9._-]} (never {@code .} or {@code ..}), such as
 * {@code tokens/3f2a...}. Every write is a compare-and-set on the entry's version ({@link #ABSENT} for
 * "must not exist"), which makes read-check-write sequences atomic: a caller retries on {@code false}.
 * Every method returns at once; the work (file or network I/O) runs off the caller's thread, so an event
 * loop may call them. Values are opaque bytes (the callers write JSON).
 */
public interface ControlPlaneStore extends AutoCloseable {
    /** The version a compare-and-set expects for an entry that does not exist. */
    long ABSENT = 0;

    /** A stored value and its version, which grows by at least one on every write. */
    record Entry(String key, byte[] value, long version) {}

    CompletableFuture<Optional<Entry>> get(String key);

    /** Every entry whose key starts with {@code prefix} (a segment boundary is the caller's business). */
    CompletableFuture<List<Entry>> list(String prefix);

    /** Writes {@code value} if the entry's version is still {@code expectedVersion}; false when it changed. */
    CompletableFuture<Boolean> compareAndSet(String key, long expectedVersion, byte[] value);

    /** Deletes the entry if its version is still {@code expectedVersion}; false when it changed or is gone. */
    CompletableFuture<Boolean> delete(String key, long expectedVersion);

    /** What the store is, for messages: {@code files /var/lib/strait/store}, {@code memory}. */
    String describe();

    @Override
    default void close() {}

    Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    /** Refuses a key that is not segments of {@code [A-Za-z0-9._-]}: a file store maps keys to paths. */
    static String checkKey(String key) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("a store key must not be empty");
        for (String s : key.split("/", -1)) {
            if (!SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..") || s.startsWith(".")) {
                throw new IllegalArgumentException("bad store key '" + key + "': segments are [A-Za-z0-9._-], not starting with '.'");
            }
        }
        return key;
    }
}
