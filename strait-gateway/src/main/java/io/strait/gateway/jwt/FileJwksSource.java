package io.strait.gateway.jwt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Reads a local JWKS file on a background executor, only when its modification time, size or inode changed since the
 * last read: a file replaced by a rename (an editor, a Kubernetes Secret's {@code ..data} swap) is a new inode even
 * when time and size agree; an in-place rewrite within the file system's timestamp granularity that keeps the size is
 * not seen until the next change.
 */
final class FileJwksSource implements JwksSource {
    private final Path path;
    private final Executor executor;
    private final Duration pollInterval;
    private final int maxBytes;
    // Only touched by one fetch at a time (JwksCache runs one fetch at a time); volatile for the executor hand-off.
    private volatile FileTime lastModified;
    private volatile long lastSize = -1;
    private volatile Object lastKey;

    FileJwksSource(Path path, Executor executor, Duration pollInterval, int maxBytes) {
        this.path = path;
        this.executor = executor;
        this.pollInterval = pollInterval;
        this.maxBytes = maxBytes;
    }

    @Override
    public CompletableFuture<byte[]> fetch() {
        return CompletableFuture.supplyAsync(this::read, executor);
    }

    private byte[] read() {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            if (a.lastModifiedTime().equals(lastModified) && a.size() == lastSize && java.util.Objects.equals(a.fileKey(), lastKey)) {
                return null;
            }
            if (a.size() > maxBytes) throw new JwksException("file over " + maxBytes + " bytes");
            byte[] bytes = Files.readAllBytes(path);
            if (bytes.length > maxBytes) throw new JwksException("file over " + maxBytes + " bytes");
            lastModified = a.lastModifiedTime();
            lastSize = a.size();
            lastKey = a.fileKey();
            return bytes;
        } catch (NoSuchFileException e) {
            throw new JwksException("file not found");
        } catch (IOException e) {
            throw new JwksException("file not readable");
        }
    }

    @Override
    public Duration nextAfterSuccess() {
        return pollInterval;
    }

    @Override
    public String describe() {
        return path.toString();
    }
}
