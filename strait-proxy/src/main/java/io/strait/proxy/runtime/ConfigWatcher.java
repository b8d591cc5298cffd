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
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the configuration file, and the files its {@code ${file:...}} references read, and calls back once per
 * change. A change is what a file resolves to changing (its real path, modification time, size or inode), not an
 * event on its name: so an editor that writes a new file and renames it over the old one (vim, {@code sed -i}), and
 * Kubernetes' ConfigMap update (a new {@code ..2026_12_06_...} folder, a {@code ..data_tmp} link renamed over
 * {@code ..data}, through which {@code config.yaml} resolves) are changes, and a touch that changes nothing else
 * is one too (a reload then finds the same configuration, harmlessly).
 *
 * <p>The folders of the files and of their real paths are watched; an event for one of the files' names, the first
 * link they resolve through, {@code ..data} or lost events starts a quiet period of {@link #QUIET_MILLIS} (a file
 * written in several steps is read once, whole), and a change is looked for at most {@link #MAX_DELAY_MILLIS} after
 * the first event even while the file keeps being written. Writes to other files in the folders neither delay nor
 * fake a change. Every {@link #POLL_MILLIS} the files are looked at anyway: a backstop for what no event reports
 * (a link swapped in a folder nobody watches, a network file system).
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    /** Editors and `cp` write in bursts; wait this long after the file's last event before reloading. */
    private static final long QUIET_MILLIS = 200;
    /** A file written without pause is still read this long after its first event (ten quiet periods). */
    static final long MAX_DELAY_MILLIS = 2000;
    /** The backstop: a few stat() calls every ten seconds, as the TLS certificate check's default interval. */
    static final long POLL_MILLIS = 10_000;
    /** The name Kubernetes gives the symlink it swaps atomically when a mounted ConfigMap or Secret changes. */
    private static final String K8S_DATA_LINK = "..data";

    private final WatchService watch;
    private final Path config;
    private final long pollNanos;
    private final Runnable onChange;
    private final Map<Path, WatchKey> dirs = new ConcurrentHashMap<>();
    /** The files watched and what each resolved to when last looked at: owned by the watch thread, seeded by {@link #watchAlso}. */
    private final Map<Path, Stamp> stamps = new ConcurrentHashMap<>();
    /** Per watched folder, the names whose events may be a change. */
    private final Map<Path, Set<String>> interest = new ConcurrentHashMap<>();
    private Thread thread;

    private ConfigWatcher(WatchService watch, Path config, long pollMillis, Runnable onChange) {
        this.watch = watch;
        this.config = config;
        this.pollNanos = TimeUnit.MILLISECONDS.toNanos(pollMillis);
        this.onChange = onChange;
    }

    static ConfigWatcher start(Path file, Set<Path> referenced, Runnable onChange) {
        return start(file, referenced, POLL_MILLIS, onChange);
    }

    static ConfigWatcher start(Path file, Runnable onChange) {
        return start(file, Set.of(), POLL_MILLIS, onChange);
    }

    /** As {@link #start(Path, Set, Runnable)} with another backstop interval (tests). */
    static ConfigWatcher start(Path file, Set<Path> referenced, long pollMillis, Runnable onChange) {
        Path abs = file.toAbsolutePath();
        WatchService ws;
        try {
            ws = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            log.warn("cannot watch {} for changes ({}); use POST /reload", abs, e.getMessage());
            return null;
        }
        ConfigWatcher w = new ConfigWatcher(ws, abs, pollMillis, onChange);
        // stamps taken now: a change right after start must not become the baseline
        w.watchAlso(referenced);
        Thread t = new Thread(w::loop, "strait-config-watch");
        t.setDaemon(true);
        w.thread = t;
        t.start();
        return w;
    }

    /**
     * Watches {@code referenced} (absolute paths) besides the config file from now on, and no other file: the set a
     * configuration just applied reads. A file new to the set is compared with what it is now.
     */
    void watchAlso(Set<Path> referenced) {
        Set<Path> files = new LinkedHashSet<>();
        files.add(config);
        for (Path p : referenced) files.add(p.toAbsolutePath().normalize());
        stamps.keySet().retainAll(files);
        for (Path f : files) stamps.computeIfAbsent(f, Stamp::of);
        register(files);
    }

    /** Watches the folders of {@code files} and of where they resolve to, with the names in each that matter. */
    private synchronized void register(Set<Path> files) {
        Map<Path, Set<String>> next = new ConcurrentHashMap<>();
        for (Path f : files) {
            note(next, f);
            try {
                if (Files.isSymbolicLink(f)) {
                    Path target = Files.readSymbolicLink(f);
                    if (!target.isAbsolute() && target.getNameCount() > 1) next.get(f.getParent()).add(target.getName(0).toString());
                }
                note(next, f.toRealPath());
            } catch (IOException | UnsupportedOperationException e) {
                // missing now: its own folder is watched, and the backstop looks again
            }
        }
        for (var e : next.entrySet()) {
            e.getValue().add(K8S_DATA_LINK);
            if (!dirs.containsKey(e.getKey())) {
                try {
                    dirs.put(e.getKey(), e.getKey().register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
                } catch (IOException | ClosedWatchServiceException ex) {
                    log.debug("cannot watch {} ({}); the {} s check still sees its changes", e.getKey(), ex.toString(),
                            POLL_MILLIS / 1000);
                }
            }
        }
        interest.putAll(next);
        interest.keySet().retainAll(next.keySet());
        for (var it = dirs.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!next.containsKey(e.getKey())) {
                e.getValue().cancel();
                it.remove();
            }
        }
    }

    private static void note(Map<Path, Set<String>> dirs, Path file) {
        Path dir = file.getParent();
        if (dir != null) dirs.computeIfAbsent(dir, d -> ConcurrentHashMap.newKeySet()).add(file.getFileName().toString());
    }

    private void loop() {
        long due = 0; // when to look at the files (System.nanoTime), 0: no event pending
        long first = 0;
        long poll = System.nanoTime() + pollNanos;
        try {
            while (true) {
                long until = due == 0 ? poll : Math.min(due, poll);
                WatchKey key = watch.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (key != null) {
                    boolean ours = false;
                    Set<String> names = key.watchable() instanceof Path d ? interest.getOrDefault(d, Set.of()) : Set.of();
                    for (WatchEvent<?> e : key.pollEvents()) ours |= concerns(names, e);
                    key.reset();
                    if (ours) {
                        long now = System.nanoTime();
                        if (due == 0) first = now;
                        due = Math.min(now + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS),
                                first + TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS));
                    }
                }
                long now = System.nanoTime();
                boolean polling = now - poll >= 0;
                if ((due != 0 && now - due >= 0) || polling) {
                    due = 0;
                    if (polling) poll = now + pollNanos;
                    check();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    /** Calls back once when any file resolves to something else than when last looked at. */
    private void check() {
        boolean changed = false;
        for (var e : stamps.entrySet()) {
            Stamp now = Stamp.of(e.getKey());
            // a file missing for a moment (an editor between its renames) is looked at again on its next event
            if (now != Stamp.MISSING && !Objects.equals(now, e.getValue())) {
                changed = true;
                e.setValue(now);
            }
        }
        if (!changed) return;
        register(new HashSet<>(stamps.keySet())); // a swap may have moved a real path to another folder
        try {
            onChange.run();
        } catch (RuntimeException ex) {
            log.warn("reloading after a change of the configuration's files failed", ex);
        }
    }

    /** Whether {@code e} may be a change: a name that matters in its folder ({@link #register}) or lost events. */
    static boolean concerns(Set<String> names, WatchEvent<?> e) {
        if (e.kind() == StandardWatchEventKinds.OVERFLOW || !(e.context() instanceof Path name)) return true;
        return names.contains(name.toString());
    }

    /**
     * What one version of a file is: where it resolves to, and that file's time, size and inode. A missing file is a
     * stamp too ({@link #MISSING}), never taken for a change.
     */
    private record Stamp(Path real, FileTime modified, long size, Object key) {
        static final Stamp MISSING = new Stamp(null, null, -1, null);

        static Stamp of(Path file) {
            try {
                Path real = file.toRealPath();
                BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
                return new Stamp(real, a.lastModifiedTime(), a.size(), a.fileKey());
            } catch (IOException e) {
                return MISSING;
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
