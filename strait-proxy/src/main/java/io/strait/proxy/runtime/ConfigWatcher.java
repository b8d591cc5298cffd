package io.strait.proxy.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the configuration file's directory (editors replace files by rename, so the file
 * itself is not watched) and calls back once per change, after a short quiet period so a file
 * written in several steps is read once, whole.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    /** Editors and `cp` write in bursts; wait this long after the last event before reloading. */
    private static final long QUIET_MILLIS = 200;

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
        Thread t = new Thread(() -> loop(ws, abs, onChange), "strait-config-watch");
        t.setDaemon(true);
        t.start();
        return new ConfigWatcher(ws, t);
    }

    private static void loop(WatchService ws, Path file, Runnable onChange) {
        FileTime last = modified(file);
        try {
            while (true) {
                WatchKey key = ws.take();
                boolean ours = key.pollEvents().stream().anyMatch(e -> file.getFileName().equals(e.context()));
                key.reset();
                if (!ours) continue;
                // Debounce: swallow the rest of the burst.
                WatchKey more;
                while ((more = ws.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    more.pollEvents();
                    more.reset();
                }
                FileTime now = modified(file);
                if (now != null && !now.equals(last)) {
                    last = now;
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
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
