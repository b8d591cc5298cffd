package io.strait.mesh.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The store as files in one directory, so that the control plane's state survives a restart: key
 * {@code tokens/ab12} is the file {@code tokens/ab12.entry}, holding an 8-byte version then the value.
 * Each write goes to a temp file that is fsynced and renamed over the old one (a reader or a crash
 * sees the old entry or the new one, never half of one). Writes take a lock (in this process and,
 * through {@code .lock}, between processes, so that {@code strait control-plane token create} may
 * write beside a running control plane). Files are created owner-only ({@code 0600}): they hold
 * token hashes. All I/O runs on the store's own virtual threads, never on the caller's.
 */
public final class FileStore implements ControlPlaneStore {
    private static final String SUFFIX = ".entry";
    private static final String LOCK_FILE = ".lock";
    private final Path dir;
    private final ExecutorService io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("strait-store-", 0).factory());
    /** One lock per directory in this JVM: a file lock is held per process, and a second {@code lock()} in the same JVM would throw. */
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    private final ReentrantLock writeLock;

    private FileStore(Path dir) {
        this.dir = dir;
        this.writeLock = LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
    }

    /** Opens (creating it, owner-only) the directory; blocking, call it at startup or off the event loop. */
    public static FileStore open(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        createPrivateDirectories(abs);
        return new FileStore(abs);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public CompletableFuture<Optional<Entry>> get(String key) {
        Path file = file(key);
        return async(() -> read(key, file));
    }

    @Override
    public CompletableFuture<List<Entry>> list(String prefix) {
        return async(() -> {
            List<Entry> out = new ArrayList<>();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
                    String rel = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                    String key = rel.substring(0, rel.length() - SUFFIX.length());
                    if (key.startsWith(prefix)) read(key, p).ifPresent(out::add);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Boolean> compareAndSet(String key, long expectedVersion, byte[] value) {
        Path file = file(key);
        byte[] copy = value.clone();
        return async(() -> locked(() -> {
            long current = read(key, file).map(Entry::version).orElse(ABSENT);
            if (current != expectedVersion) return false;
            write(file, current + 1, copy);
            return true;
        }));
    }

    @Override
    public CompletableFuture<Boolean> delete(String key, long expectedVersion) {
        Path file = file(key);
        return async(() -> locked(() -> {
            Optional<Entry> current = read(key, file);
            if (current.isEmpty() || current.get().version() != expectedVersion) return false;
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return true;
        }));
    }

    @Override
    public String describe() {
        return "files " + dir;
    }

    @Override
    public void close() {
        io.shutdown();
    }

    private Path file(String key) {
        return dir.resolve(ControlPlaneStore.checkKey(key) + SUFFIX);
    }

    private <T> CompletableFuture<T> async(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, io);
    }

    private <T> T locked(Supplier<T> work) {
        writeLock.lock();
        try (FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            return work.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writeLock.unlock();
        }
    }

    private static Optional<Entry> read(String key, Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length < Long.BYTES) throw new IllegalStateException("store entry " + file + " is damaged (shorter than its header)");
        long version = ByteBuffer.wrap(bytes, 0, Long.BYTES).getLong();
        byte[] value = new byte[bytes.length - Long.BYTES];
        System.arraycopy(bytes, Long.BYTES, value, 0, value.length);
        return Optional.of(new Entry(key, value, version));
    }

    private void write(Path file, long version, byte[] value) {
        try {
            createPrivateDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                ByteBuffer buf = ByteBuffer.allocate(Long.BYTES + value.length).putLong(version).put(value).flip();
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates missing directories owner-only ({@code 0700}). */
    static void createPrivateDirectories(Path d) throws IOException {
        if (Files.isDirectory(d)) return;
        if (d.getParent() != null) createPrivateDirectories(d.getParent());
        try {
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(d)) throw e;
        }
    }
}
