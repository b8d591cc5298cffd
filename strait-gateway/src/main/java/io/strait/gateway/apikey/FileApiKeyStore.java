package io.strait.gateway.apikey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key records in one JSON file ({@code {"version":1,"keys":[...]}}, default {@code .strait/apikeys.json}).
 * Lookups are answered from memory. A gateway's store re-reads the file in the background when its
 * modification time, size or inode changes (a scheduled thread, never an event loop); a file that does
 * not parse is logged and the previous keys keep serving. Writes go to a temp file (mode 0600) that is
 * renamed over the old one, so a reader never sees half a file.
 */
public final class FileApiKeyStore implements ApiKeyStore {
    /** How often a gateway checks the file for changes: edits show within about a second plus the cache TTL. */
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(1);
    private static final int VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(FileApiKeyStore.class);

    private final Path path;
    private final ScheduledExecutorService watcher;
    private volatile Map<String, Entry> byHash = Map.of();
    private volatile FileState seen = FileState.ABSENT;

    private record Entry(String hash, ApiKeyRecord record) {}

    private record FileState(long mtimeNanos, long size, Object fileKey) {
        static final FileState ABSENT = new FileState(-1, -1, null);
    }

    private FileApiKeyStore(Path path, Duration reloadInterval) {
        this.path = path;
        reload(true);
        if (reloadInterval == null) {
            watcher = null;
        } else {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "strait-apikey-file");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, reloadInterval.toMillis());
            watcher.scheduleWithFixedDelay(() -> reload(false), ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** A store for management (the CLI): reads the file now, never watches it. */
    public static FileApiKeyStore open(Path path) {
        return new FileApiKeyStore(path, null);
    }

    /** A gateway's store: reads the file now and re-reads it whenever it changes. */
    public static FileApiKeyStore watching(Path path, Duration reloadInterval) {
        return new FileApiKeyStore(path, Objects.requireNonNull(reloadInterval));
    }

    @Override
    public CompletionStage<Optional<ApiKeyRecord>> lookup(String hash) {
        Entry e = byHash.get(hash);
        return CompletableFuture.completedFuture(
                e != null && ApiKeys.hashEquals(e.hash, hash) ? Optional.of(e.record) : Optional.empty());
    }

    @Override
    public synchronized void create(String hash, ApiKeyRecord record) {
        if (!ApiKeys.validHash(hash)) throw new IllegalArgumentException("not a SHA-256 hex hash");
        Map<String, Entry> keys = new LinkedHashMap<>(readFile().keys);
        if (keys.containsKey(hash)) throw new ApiKeyStoreException("a key with this hash already exists");
        for (Entry e : keys.values()) {
            if (e.record.id().equals(record.id())) throw new ApiKeyStoreException("key id " + record.id() + " already exists");
        }
        keys.put(hash, new Entry(hash, record));
        write(keys);
    }

    @Override
    public synchronized List<ApiKeyRecord> list() {
        List<ApiKeyRecord> out = new ArrayList<>();
        for (Entry e : readFile().keys.values()) out.add(e.record);
        return out;
    }

    @Override
    public synchronized Optional<ApiKeyRecord> revoke(String id) {
        Map<String, Entry> keys = new LinkedHashMap<>(readFile().keys);
        for (Entry e : keys.values()) {
            if (e.record.id().equals(id)) {
                ApiKeyRecord revoked = e.record.withStatus(ApiKeyRecord.Status.REVOKED);
                keys.put(e.hash, new Entry(e.hash, revoked));
                write(keys);
                return Optional.of(revoked);
            }
        }
        return Optional.empty();
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() {
        if (watcher != null) watcher.shutdownNow();
    }

    /** Re-reads the file when it changed; at startup a bad file is an error, later it is logged and skipped. */
    private void reload(boolean initial) {
        try {
            FileState now = state();
            if (!initial && now.equals(seen)) return;
            Loaded l = readFile();
            byHash = l.keys;
            seen = l.state;
            if (!initial) log.info("API keys: reloaded {} ({} key(s))", path, l.keys.size());
        } catch (ApiKeyStoreException e) {
            if (initial) throw e;
            log.warn("API keys: {}; keeping the {} key(s) read before", e.getMessage(), byHash.size());
            try {
                seen = state(); // do not log the same bad file every second
            } catch (ApiKeyStoreException ignored) {
                // the next round tries again
            }
        } catch (RuntimeException e) {
            log.warn("API keys: reloading {} failed: {}", path, e.toString());
        }
    }

    private record Loaded(Map<String, Entry> keys, FileState state) {}

    private Loaded readFile() {
        FileState st = state();
        if (st == FileState.ABSENT) return new Loaded(Map.of(), st);
        JsonNode root;
        try {
            root = ApiKeyJson.MAPPER.readTree(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            return new Loaded(Map.of(), FileState.ABSENT);
        } catch (IOException e) {
            throw new ApiKeyStoreException(path + " cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("keys").isArray()) {
            throw new ApiKeyStoreException(path + " is not a key file (expected {\"version\":1,\"keys\":[...]})");
        }
        Map<String, Entry> keys = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode k : root.get("keys")) {
            try {
                String hash = ApiKeyJson.hash(k);
                if (!ApiKeys.validHash(hash)) throw new IllegalArgumentException("'hash' is not a SHA-256 hex hash");
                keys.put(hash, new Entry(hash, ApiKeyJson.read(k)));
            } catch (RuntimeException e) {
                throw new ApiKeyStoreException(path + ": keys[" + i + "]: " + e.getMessage(), e);
            }
            i++;
        }
        return new Loaded(Collections.unmodifiableMap(keys), st);
    }

    private FileState state() {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return new FileState(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size(), a.fileKey());
        } catch (NoSuchFileException e) {
            return FileState.ABSENT;
        } catch (IOException e) {
            throw new ApiKeyStoreException(path + " cannot be read: " + e.getMessage(), e);
        }
    }

    private void write(Map<String, Entry> keys) {
        ObjectNode root = ApiKeyJson.MAPPER.createObjectNode();
        root.put("version", VERSION);
        ArrayNode arr = root.putArray("keys");
        for (Entry e : keys.values()) arr.add(ApiKeyJson.write(e.hash, e.record));
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            tmp = posix
                    ? Files.createTempFile(dir, ".apikeys", ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".apikeys", ".tmp");
            byte[] bytes = ApiKeyJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            byHash = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
            seen = state();
        } catch (IOException e) {
            throw new ApiKeyStoreException(path + " cannot be written: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
