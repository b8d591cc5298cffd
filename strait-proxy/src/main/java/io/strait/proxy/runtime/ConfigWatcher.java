package io.strait.proxy.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the configuration file's directory (editors replace files by rename, so the file
 * itself is not watched) and calls back once per change, after a short quiet period so a file
 * written in several steps is read once, whole. Only events for the file itself, for the link it
 * resolves through (Kubernetes swaps a ConfigMap by renaming a new {@code ..data} symlink into
 * place) or a lost-events overflow count: writes to other files in the folder neither delay nor
 * hide a change, and a change is noticed at most {@link #MAX_DELAY_MILLIS} after its first event
 * even while the file itself keeps being written.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    /** Editors and `cp` write in bursts; wait this long after the file's last event before reloading. */
    private static final long QUIET_MILLIS = 200;
    /** A file written without pause is still read this long after its first event (ten quiet periods). */
    static final long MAX_DELAY_MILLIS = 2000;
    /** The name Kubernetes gives the symlink it swaps atomically when a mounted ConfigMap or Secret changes. */
    private static final String K8S_DATA_LINK = "..data";

    private final WatchService watch;
    private final Thread thread;

    private ConfigWatcher(WatchService watch, Thread thread) {
        this.watch = watch;
        this.thread = thread;
    }

    static ConfigWatcher start(Path file, Runnable onChange) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        WatchService ws;
        try {
            ws = FileSystems.getDefault().newWatchService();
            dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            log.warn("cannot watch {} for changes ({}); use POST /reload", abs, e.getMessage());
            return null;
        }
        Stamp initial = Stamp.of(abs); // taken now: a change right after start must not become the baseline
        Thread t = new Thread(() -> loop(ws, abs, initial, onChange), "strait-config-watch");
        t.setDaemon(true);
        t.start();
        return new ConfigWatcher(ws, t);
    }

    private static void loop(WatchService ws, Path file, Stamp initial, Runnable onChange) {
        Stamp last = initial;
        long due = 0; // when to look at the file (System.nanoTime), 0: no event pending
        long first = 0;
        try {
            while (true) {
                WatchKey key = due == 0 ? ws.take() : ws.poll(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (key != null) {
                    boolean ours = false;
                    for (WatchEvent<?> e : key.pollEvents()) ours |= concerns(file, e);
                    key.reset();
                    if (ours) {
                        long now = System.nanoTime();
                        if (due == 0) first = now;
                        due = Math.min(now + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS),
                                first + TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS));
                    }
                }
                if (due != 0 && System.nanoTime() - due >= 0) {
                    due = 0;
                    Stamp now = Stamp.of(file);
                    if (now != null && !now.equals(last)) {
                        last = now;
                        onChange.run();
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    /** Whether {@code e} may be a change of {@code file}: its own name, the first link it resolves through, or lost events. */
    static boolean concerns(Path file, WatchEvent<?> e) {
        if (e.kind() == StandardWatchEventKinds.OVERFLOW || !(e.context() instanceof Path name)) return true;
        if (name.equals(file.getFileName())) return true;
        String n = name.toString();
        if (n.equals(K8S_DATA_LINK)) return true;
        try {
            if (Files.isSymbolicLink(file)) {
                Path target = Files.readSymbolicLink(file);
                return !target.isAbsolute() && target.getNameCount() > 1 && target.getName(0).equals(name);
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // not a readable link: only the file's own name counts
        }
        return false;
    }

    /** What identifies one version of the file: a replaced file (new inode) or a rewrite (time, size) differs. */
    private record Stamp(FileTime modified, long size, Object key) {
        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
            } catch (IOException e) {
                return null;
            }
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        thread.interrupt();
    }
}
